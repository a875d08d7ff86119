"""Seed 002 §3: tenants (admins; the platform's admins see and create them all)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter

from hostplane.contracts.mpanel.tenants import Tenant, TenantCreate, TenantList
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals

router = APIRouter(prefix="/api/tenants", tags=["tenants"])

Reader = Annotated[Operator, allowed(Permission.TENANTS_READ)]
Writer = Annotated[Operator, allowed(Permission.TENANTS_WRITE)]


@router.get("", response_model=TenantList)
async def list_tenants(
    operator: Reader, mpanel: MPanelDep, page: PageNo = 1, page_size: PageSize = 20
) -> TenantList:
    """Every tenant for the platform's admins; the operator's own for another tenant's."""
    rows = await mpanel.tenants.list(operator, page, page_size)
    return presenters.listing(TenantList, rows, presenters.tenant, page, page_size)


@router.get("/{tenant_id}", response_model=Tenant, responses=refusals(404))
async def get_tenant(tenant_id: UUID, operator: Reader, mpanel: MPanelDep) -> Tenant:
    """A tenant the operator may see."""
    return presenters.tenant(await mpanel.tenants.get(operator, tenant_id))


@router.post("", status_code=201, response_model=Tenant, responses=WAITED)
async def create_tenant(body: TenantCreate, operator: Writer, mpanel: MPanelDep) -> Tenant:
    """A new tenant (the platform's admins only); its id comes from its name."""
    return presenters.tenant(await mpanel.tenants.create(operator, body))
