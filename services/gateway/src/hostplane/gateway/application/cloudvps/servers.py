"""A customer's VPS: the CloudPods of their account's customer (the same Instance aggregate
as OpenClaw's instances and mPanel's CloudPods). Another user's VPS is not found (404).

A restart is provisioning's `RebootInstance`; a delete cancels the VPS's subscription at
once, so billing stops and removes the server (`TerminateInstance`), as a cancellation does.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from hostplane.contracts.commands import billing, provisioning
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.application.cloudvps.accounts import Accounts
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.readmodels import Page
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import NotFound


@dataclass(frozen=True)
class VpsRow:
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    subscription_id: UUID
    name: str
    status: str  # the instance's: pending, provisioning, active, suspended, terminated, error
    ip_address: str | None
    plan: str
    region: str
    prices: list[dict[str, Any]]  # the product's, as billing lists them
    pending_operation: str | None
    created_at: datetime
    next_billing_date: datetime | None


@dataclass(frozen=True)
class VpsFilter:
    statuses: tuple[str, ...] | None  # instance statuses; None: all but terminated
    sort: str  # created_at | name | status
    descending: bool
    page: int
    limit: int


class VpsReads(Protocol):
    async def servers(
        self, tenant_id: UUID, customer_id: UUID, wanted: VpsFilter
    ) -> Page[VpsRow]: ...

    async def server(self, tenant_id: UUID, customer_id: UUID, vps_id: UUID) -> VpsRow | None: ...


@dataclass(frozen=True)
class Servers:
    reads: VpsReads
    accounts: Accounts
    commands: PanelCommands

    async def list(self, caller: Caller, wanted: VpsFilter) -> Page[VpsRow]:
        customer_id = await self._customer(caller)
        if customer_id is None:
            return Page([], 0)
        return await self.reads.servers(self.accounts.tenant_id, customer_id, wanted)

    async def get(self, caller: Caller, vps_id: UUID) -> VpsRow:
        customer_id = await self._customer(caller)
        row = (
            await self.reads.server(self.accounts.tenant_id, customer_id, vps_id)
            if customer_id
            else None
        )
        if row is None or row.status == "terminated":
            raise NotFound("VPS not found")
        return row

    async def restart(self, caller: Caller, vps_id: UUID) -> VpsRow:
        """Reboot the server; provisioning refuses it (CONFLICT) in a state that cannot."""
        await self.get(caller, vps_id)
        await self.commands.run(
            PROVISIONING_COMMANDS, vps_id, provisioning.RebootInstance(instance_id=vps_id)
        )
        return await self.get(caller, vps_id)

    async def delete(self, caller: Caller, vps_id: UUID) -> None:
        """Cancel the VPS's subscription now: billing stops, and the server is removed."""
        row = await self.get(caller, vps_id)
        command = billing.CancelSubscription(
            tenant_id=row.tenant_id,
            actor_id=caller.user_id,
            subscription_id=row.subscription_id,
            at_period_end=False,
        )
        await self.commands.billing(command)

    async def _customer(self, caller: Caller) -> UUID | None:
        """The customer whose VPS the caller sees: their account's (an admin has none)."""
        if caller.kind != "account":
            return None
        profile = await self.accounts.profile(caller)
        return profile.customer_id
