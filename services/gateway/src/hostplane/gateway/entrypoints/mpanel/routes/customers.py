"""Seed 002 §4.2: customers, the tenant's paying clients."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from hostplane.contracts.mpanel.customers import (
    Customer,
    CustomerCreate,
    CustomerList,
    CustomerUpdate,
)
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals

router = APIRouter(prefix="/api/customers", tags=["customers"])

Reader = Annotated[Operator, allowed(Permission.CUSTOMERS_READ)]
Writer = Annotated[Operator, allowed(Permission.CUSTOMERS_WRITE)]
# Part of a name or an email; printable text.
Search = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


@router.get("", response_model=CustomerList)
async def list_customers(
    operator: Reader,
    mpanel: MPanelDep,
    search: Search = None,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> CustomerList:
    """The tenant's customers, optionally those whose name or email contains `search`."""
    rows = await mpanel.customers.list(operator, search or None, page, page_size)
    return presenters.listing(CustomerList, rows, presenters.customer, page, page_size)


@router.get("/{customer_id}", response_model=Customer, responses=refusals(404))
async def get_customer(customer_id: UUID, operator: Reader, mpanel: MPanelDep) -> Customer:
    """One of the tenant's customers."""
    return presenters.customer(await mpanel.customers.get(operator, customer_id))


@router.post("", status_code=201, response_model=Customer, responses=WAITED)
async def create_customer(body: CustomerCreate, operator: Writer, mpanel: MPanelDep) -> Customer:
    """A new customer of the tenant."""
    return presenters.customer(await mpanel.customers.create(operator, body))


@router.put("/{customer_id}", response_model=Customer, responses=WAITED)
async def update_customer(
    customer_id: UUID, body: CustomerUpdate, operator: Writer, mpanel: MPanelDep
) -> Customer:
    """Change the fields given of a customer."""
    return presenters.customer(await mpanel.customers.update(operator, customer_id, body))
