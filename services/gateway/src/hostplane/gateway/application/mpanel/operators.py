"""A tenant's operators (mPanel's users). A password is sealed before it leaves the gateway
and never comes back: billing stores its argon2 hash."""

from dataclasses import dataclass
from uuid import UUID

from hostplane.contracts.commands.billing import CreateUser, DeleteUser, UpdateUser
from hostplane.contracts.identity import operator_id_for
from hostplane.contracts.mpanel.users import UserCreate, UserUpdate
from hostplane.contracts.secrets import SecretBox
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import OperatorRow, Page
from hostplane.gateway.domain.errors import Forbidden, NotFound
from hostplane.gateway.domain.mpanel.access import Operator


def _updated(row: OperatorRow, update: UserUpdate) -> bool:
    """Whether the read model shows every field the update changed."""
    return (
        (update.name is None or row.name == update.name)
        and (update.email is None or row.email.lower() == str(update.email).lower())
        and (update.roles is None or sorted(row.roles) == sorted(update.roles))
        and (update.status is None or row.status == update.status)
    )


@dataclass(frozen=True)
class Operators:
    reads: BillingReads
    commands: PanelCommands
    box: SecretBox
    platform_tenant_id: UUID

    async def list(self, operator: Operator, page: int, page_size: int) -> Page[OperatorRow]:
        """The tenant's operators."""
        return await self.reads.operators(operator.tenant_id, page, page_size)

    async def get(self, operator: Operator, user_id: UUID) -> OperatorRow:
        """One of the tenant's operators."""
        row = await self.reads.operator(operator.tenant_id, user_id)
        if row is None:
            raise NotFound("User not found")
        return row

    async def create(self, operator: Operator, request: UserCreate) -> OperatorRow:
        """A new operator of the tenant (the platform's admins: of any tenant), its id from
        its email."""
        tenant_id = await self._tenant_for(operator, request.tenant_id)
        user_id = operator_id_for(str(request.email))
        command = CreateUser(
            tenant_id=tenant_id,
            actor_id=operator.user_id,
            user_id=user_id,
            name=request.name,
            email=request.email,
            roles=request.roles,
            status=request.status,
            password=self.box.seal(request.password.get_secret_value()),
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(job.id, lambda: self.reads.operator(tenant_id, user_id))

    async def _tenant_for(self, operator: Operator, wanted: UUID | None) -> UUID:
        """The tenant a new operator joins: the creator's own, or, for the platform's
        admins, any existing one."""
        if wanted is None or wanted == operator.tenant_id:
            return operator.tenant_id
        if operator.tenant_id != self.platform_tenant_id:
            raise Forbidden("Only the platform's admins create another tenant's operators")
        if await self.reads.tenant(wanted) is None:
            raise NotFound("Tenant not found", {"tenantId": str(wanted)})
        return wanted

    async def update(self, operator: Operator, user_id: UUID, request: UserUpdate) -> OperatorRow:
        """Change the fields given (a new password too)."""
        await self.get(operator, user_id)
        password = request.password
        command = UpdateUser(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            user_id=user_id,
            name=request.name,
            email=request.email,
            roles=request.roles,
            status=request.status,
            password=self.box.seal(password.get_secret_value()) if password else None,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id,
            lambda: self.reads.operator(operator.tenant_id, user_id),
            lambda row: _updated(row, request),
        )

    async def delete(self, operator: Operator, user_id: UUID) -> None:
        """Delete an operator: it can no longer sign in or refresh its tokens."""
        await self.get(operator, user_id)
        command = DeleteUser(
            tenant_id=operator.tenant_id, actor_id=operator.user_id, user_id=user_id
        )
        await self.commands.billing(command)
