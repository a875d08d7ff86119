"""Tenants: the platform's admins see and create them all; another tenant's admin sees its
own."""

from dataclasses import dataclass
from uuid import UUID

from hostplane.contracts.commands.billing import CreateTenant
from hostplane.contracts.identity import tenant_id_for
from hostplane.contracts.mpanel.tenants import TenantCreate
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import Page, TenantRow
from hostplane.gateway.domain.errors import Forbidden, NotFound
from hostplane.gateway.domain.mpanel.access import Operator


@dataclass(frozen=True)
class Tenants:
    reads: BillingReads
    commands: PanelCommands
    platform_tenant_id: UUID

    def _of_platform(self, operator: Operator) -> bool:
        return operator.tenant_id == self.platform_tenant_id

    async def list(self, operator: Operator, page: int, page_size: int) -> Page[TenantRow]:
        """Every tenant for the platform's admins; the operator's own for anyone else."""
        only = None if self._of_platform(operator) else operator.tenant_id
        return await self.reads.tenants(only, page, page_size)

    async def get(self, operator: Operator, tenant_id: UUID) -> TenantRow:
        """A tenant the operator may see; any other is not found."""
        row = None
        if tenant_id == operator.tenant_id or self._of_platform(operator):
            row = await self.reads.tenant(tenant_id)
        if row is None:
            raise NotFound("Tenant not found")
        return row

    async def create(self, operator: Operator, request: TenantCreate) -> TenantRow:
        """A new tenant, its id from its name; only the platform's admins create tenants."""
        if not self._of_platform(operator):
            raise Forbidden("Only the platform's admins create tenants")
        tenant_id = tenant_id_for(request.name)
        command = CreateTenant(
            tenant_id=tenant_id,
            actor_id=operator.user_id,
            name=request.name.strip(),
            status=request.status,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(job.id, lambda: self.reads.tenant(tenant_id))
