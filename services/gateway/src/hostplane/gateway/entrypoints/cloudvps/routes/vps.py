"""`/api/v1/vps`: the signed-in customer's VPS — the list with its filters, sort and order;
one VPS; a restart; a delete. Another user's VPS is 404."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from hostplane.contracts.catalog import Plan
from hostplane.contracts.cloudvps.envelope import Deleted, Envelope, Pagination
from hostplane.contracts.cloudvps.vps import Vps, VpsStatus
from hostplane.gateway.application.cloudvps.servers import Servers, VpsFilter, VpsRow
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(prefix="/api/v1/vps", tags=["vps"])
FOUND = refusals(401, 404)


async def servers(gateway: GatewayDep) -> Servers:
    return gateway.cloudvps.servers


ServersDep = Annotated[Servers, Depends(servers)]


def _shown(gateway: GatewayDep, row: VpsRow) -> Vps:
    return presenters.vps(row, gateway.settings.plans[Plan(row.plan)])


@router.get("", response_model=Envelope[list[Vps]], response_model_exclude_none=True)
async def list_vps(
    caller: SignedIn,
    servers: ServersDep,
    gateway: GatewayDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status: VpsStatus | None = None,
    sort: Annotated[str, Query(pattern="^(created_at|name|status)$")] = "created_at",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
) -> Envelope[list[Vps]]:
    wanted = VpsFilter(
        presenters.INSTANCE_STATUSES.get(status, ("none",)) if status else None,
        sort,
        order == "desc",
        page,
        limit,
    )
    found = await servers.list(caller, wanted)
    return Envelope(
        data=[_shown(gateway, row) for row in found.items],
        pagination=Pagination(
            page=page,
            limit=limit,
            total=found.total,
            has_next=page * limit < found.total,
            has_prev=page > 1,
        ),
    )


@router.get(
    "/{vps_id}", response_model=Envelope[Vps], response_model_exclude_none=True, responses=FOUND
)
async def get_vps(
    vps_id: UUID, caller: SignedIn, servers: ServersDep, gateway: GatewayDep
) -> Envelope[Vps]:
    return Envelope(data=_shown(gateway, await servers.get(caller, vps_id)))


@router.post(
    "/{vps_id}/restart",
    response_model=Envelope[Vps],
    response_model_exclude_none=True,
    responses=refusals(401, 404, 409),
)
async def restart_vps(
    vps_id: UUID, caller: SignedIn, servers: ServersDep, gateway: GatewayDep
) -> Envelope[Vps]:
    return Envelope(data=_shown(gateway, await servers.restart(caller, vps_id)))


@router.delete("/{vps_id}", response_model=Envelope[Deleted], responses=FOUND)
async def delete_vps(
    vps_id: UUID, caller: SignedIn, servers: ServersDep, force: bool = False
) -> Envelope[Deleted]:
    """Delete the VPS (`force` is accepted: a running VPS is removed all the same)."""
    await servers.delete(caller, vps_id)
    return Envelope(data=Deleted(id=str(vps_id)))
