"""Customers: the tenant's paying clients."""

from dataclasses import dataclass
from uuid import UUID, uuid4

from hostplane.contracts.billing import Address
from hostplane.contracts.commands.billing import CreateCustomer, UpdateCustomer
from hostplane.contracts.mpanel.customers import AddressIn, CustomerCreate, CustomerUpdate
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import CustomerRow, Page
from hostplane.gateway.domain.errors import NotFound
from hostplane.gateway.domain.mpanel.access import Operator


def _address(address: AddressIn) -> Address:
    return Address.model_validate(address.model_dump())


def _updated(row: CustomerRow, update: CustomerUpdate) -> bool:
    """Whether the read model shows every field the update changed."""
    return (
        (update.name is None or row.name == update.name)
        and (update.email is None or row.email.lower() == str(update.email).lower())
        and (update.phone is None or row.phone == update.phone)
        and (update.address is None or row.address == _address(update.address))
        and (update.timezone is None or row.timezone == update.timezone)
        and (update.status is None or row.status == update.status)
    )


@dataclass(frozen=True)
class Customers:
    reads: BillingReads
    commands: PanelCommands

    async def list(
        self, operator: Operator, search: str | None, page: int, page_size: int
    ) -> Page[CustomerRow]:
        """The tenant's customers, optionally those whose name or email contains `search`."""
        return await self.reads.customers(operator.tenant_id, search, page, page_size)

    async def get(self, operator: Operator, customer_id: UUID) -> CustomerRow:
        """One of the tenant's customers."""
        row = await self.reads.customer(operator.tenant_id, customer_id)
        if row is None:
            raise NotFound("Customer not found")
        return row

    async def create(self, operator: Operator, request: CustomerCreate) -> CustomerRow:
        """A new customer of the tenant."""
        customer_id = uuid4()
        command = CreateCustomer(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            customer_id=customer_id,
            name=request.name,
            email=request.email,
            phone=request.phone,
            address=_address(request.address),
            timezone=request.timezone,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id, lambda: self.reads.customer(operator.tenant_id, customer_id)
        )

    async def update(
        self, operator: Operator, customer_id: UUID, request: CustomerUpdate
    ) -> CustomerRow:
        """Change the fields given."""
        await self.get(operator, customer_id)
        command = UpdateCustomer(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            customer_id=customer_id,
            name=request.name,
            email=request.email,
            phone=request.phone,
            address=_address(request.address) if request.address else None,
            timezone=request.timezone,
            status=request.status,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id,
            lambda: self.reads.customer(operator.tenant_id, customer_id),
            lambda row: _updated(row, request),
        )
