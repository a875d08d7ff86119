"""A customer's VPS: the CloudPods of their account's customer (the same Instance aggregate
as OpenClaw's instances and mPanel's CloudPods). Another user's VPS is not found (404).

A restart, a stop, a start and a rebuild are provisioning's operations of the instance
(`RebootInstance`, `StopInstance`, `StartInstance`, `RebuildInstance`), judged there: a state
that refuses one is CONFLICT, a provider that fails it PROXMOX_ERROR. They answer the VPS once
the read models show the operation's effect, or as it is (`stopping`, `rebuilding`) when the
operation outlives the wait. A delete cancels the VPS's subscription at once, so billing
stops and removes the server (`TerminateInstance`), as a cancellation does.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts.catalog import OPERATING_SYSTEMS
from hostplane.contracts.commands import billing, provisioning
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.application.cloudvps.accounts import Accounts
from hostplane.gateway.application.jobs import JobPending
from hostplane.gateway.application.mpanel.commands import PanelCommands, ViewLagging
from hostplane.gateway.application.mpanel.readmodels import Page
from hostplane.gateway.application.readmodels import JobRow
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import Conflict, JobFailed, NotFound, Unprocessable


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
    stopped_at: datetime | None = None  # powered off by its customer since then
    image: str | None = None  # the operating system it was rebuilt with, if it was
    running_since: datetime | None = None  # booted last then (uptime), None while off


@dataclass(frozen=True)
class VpsFilter:
    statuses: tuple[str, ...] | None  # instance statuses; None: all but terminated
    sort: str  # created_at | name | status
    descending: bool
    page: int
    limit: int
    stopped: bool | None = None  # powered off by its customer (True), or not; None: either
    operation: str | None = None  # only those with this operation in progress


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
        command = provisioning.RebootInstance(instance_id=vps_id)
        return await self._operate(caller, vps_id, command, lambda row: True)

    async def stop(self, caller: Caller, vps_id: UUID) -> VpsRow:
        """Power the server off; stopping a stopped VPS succeeds as it is."""
        command = provisioning.StopInstance(instance_id=vps_id)
        return await self._operate(caller, vps_id, command, lambda row: row.stopped_at is not None)

    async def start(self, caller: Caller, vps_id: UUID) -> VpsRow:
        """Power a stopped server on; a suspended VPS is not its user's to start (CONFLICT)."""
        command = provisioning.StartInstance(instance_id=vps_id)
        return await self._operate(caller, vps_id, command, lambda row: row.stopped_at is None)

    async def rebuild(
        self, caller: Caller, vps_id: UUID, operating_system: str, ssh_keys: Sequence[str]
    ) -> VpsRow:
        """Write the VPS's disk anew with another operating system (what was on it is lost)."""
        image = OPERATING_SYSTEMS.get(operating_system)
        if image is None:
            raise Unprocessable(
                f"Unknown operating system {operating_system}",
                {"operating_system": f"one of {', '.join(sorted(OPERATING_SYSTEMS))}"},
            )
        command = provisioning.RebuildInstance(
            instance_id=vps_id, image=image, ssh_keys=[*ssh_keys]
        )
        return await self._operate(
            caller, vps_id, command, lambda row: row.pending_operation is None
        )

    async def _operate(
        self, caller: Caller, vps_id: UUID, command: BaseModel, done: Callable[[VpsRow], bool]
    ) -> VpsRow:
        """Ask provisioning for an operation of the caller's VPS, and answer the VPS as the
        read models show it once `done`, or as it is when the operation takes longer."""
        row = await self.get(caller, vps_id)
        try:
            job = await self.commands.jobs.outcome(PROVISIONING_COMMANDS, vps_id, command)
        except JobPending:
            return await self.get(caller, vps_id)
        if job.status == "failed":
            raise refusal_of(job)
        return await self._shown(caller, row, job, done)

    async def _shown(
        self, caller: Caller, row: VpsRow, job: JobRow, done: Callable[[VpsRow], bool]
    ) -> VpsRow:
        try:
            return await self.commands.shown(
                job.id, lambda: self.reads.server(row.tenant_id, row.customer_id, row.id), done
            )
        except ViewLagging:
            return await self.get(caller, row.id)

    async def rename(self, caller: Caller, vps_id: UUID, name: str) -> VpsRow:
        """Name the VPS anew (billing keeps its name); a blank name is VALIDATION_ERROR."""
        name = name.strip()
        if not name:
            raise Unprocessable("The name is blank", {"name": "a name other than spaces"})
        row = await self.get(caller, vps_id)
        command = billing.RenameCloudPod(
            tenant_id=row.tenant_id, actor_id=caller.user_id, instance_id=vps_id, name=name
        )
        try:
            job = await self.commands.billing(command)
        except JobPending:
            return row
        try:
            return await self.commands.shown(
                job.id,
                lambda: self.reads.server(row.tenant_id, row.customer_id, row.id),
                lambda shown: shown.name == name,
            )
        except ViewLagging:
            return replace(row, name=name)  # billing has it; the read models follow

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


def refusal_of(job: JobRow) -> Conflict | NotFound | JobFailed:
    """A state that refused the operation (CONFLICT, naming it), or a provider that failed it."""
    message = job.error_message or "The operation failed"
    if job.error_code == "INVALID_STATE":
        return Conflict(message, {"status": job.met_status} if job.met_status else None)
    if job.error_code == "NOT_FOUND":
        return NotFound("VPS not found")
    return JobFailed(message, code=job.error_code or "JOB_FAILED")
