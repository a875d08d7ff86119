"""`/api/v1/vps`: the signed-in customer's VPS — the list with its filters, sort and order;
one VPS; its new name; restart, stop, start and rebuild; a delete. Another user's VPS is 404."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from hostplane.contracts.catalog import Plan
from hostplane.contracts.cloudvps.envelope import Deleted, Envelope, Pagination
from hostplane.contracts.cloudvps.vps import (
    RebuildVpsRequest,
    UpdateVpsRequest,
    Vps,
    VpsStatus,
)
from hostplane.gateway.application.cloudvps.servers import Servers, VpsFilter, VpsRow
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(prefix="/api/v1/vps", tags=["vps"], route_class=EnvelopeRoute)
FOUND = refusals(401, 404)


async def servers(gateway: GatewayDep) -> Servers:
    return gateway.cloudvps.servers


ServersDep = Annotated[Servers, Depends(servers)]


def _shown(gateway: GatewayDep, row: VpsRow) -> Vps:
    return presenters.vps(row, gateway.settings.plans[Plan(row.plan)])


@router.get("", response_model=Envelope[list[Vps]])
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
    shown = presenters.STATUS_FILTERS.get(status) if status else None
    wanted = VpsFilter(
        (shown.statuses if shown else ("none",)) if status else None,
        sort,
        order == "desc",
        page,
        limit,
        stopped=shown.stopped if shown else None,
        operation=shown.operation if shown else None,
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


@router.get("/{vps_id}", response_model=Envelope[Vps], responses=FOUND)
async def get_vps(
    vps_id: UUID, caller: SignedIn, servers: ServersDep, gateway: GatewayDep
) -> Envelope[Vps]:
    return Envelope(data=_shown(gateway, await servers.get(caller, vps_id)))


@router.post(
    "/{vps_id}/restart",
    response_model=Envelope[Vps],
    responses=refusals(401, 404, 409),
)
async def restart_vps(
    vps_id: UUID, caller: SignedIn, servers: ServersDep, gateway: GatewayDep
) -> Envelope[Vps]:
    return Envelope(data=_shown(gateway, await servers.restart(caller, vps_id)))


ACTING = refusals(401, 404, 409, 502)


@router.post(
    "/{vps_id}/stop",
    response_model=Envelope[Vps],
    responses=ACTING,
)
async def stop_vps(
    vps_id: UUID, caller: SignedIn, servers: ServersDep, gateway: GatewayDep
) -> Envelope[Vps]:
    """Power the VPS off (a stopped one stays as it is)."""
    return Envelope(data=_shown(gateway, await servers.stop(caller, vps_id)))


@router.post(
    "/{vps_id}/start",
    response_model=Envelope[Vps],
    responses=ACTING,
)
async def start_vps(
    vps_id: UUID, caller: SignedIn, servers: ServersDep, gateway: GatewayDep
) -> Envelope[Vps]:
    """Power the VPS on (a running one stays as it is; a suspended one cannot)."""
    return Envelope(data=_shown(gateway, await servers.start(caller, vps_id)))


@router.post(
    "/{vps_id}/rebuild",
    response_model=Envelope[Vps],
    responses=refusals(401, 404, 409, 422, 502),
)
async def rebuild_vps(
    vps_id: UUID,
    request: RebuildVpsRequest,
    caller: SignedIn,
    servers: ServersDep,
    gateway: GatewayDep,
) -> Envelope[Vps]:
    """Write the VPS's disk anew with an operating system, letting in the SSH keys."""
    row = await servers.rebuild(caller, vps_id, request.operating_system, request.ssh_keys)
    return Envelope(data=_shown(gateway, row))


@router.put(
    "/{vps_id}",
    response_model=Envelope[Vps],
    responses=refusals(401, 404, 409, 422),
)
async def update_vps(
    vps_id: UUID,
    request: UpdateVpsRequest,
    caller: SignedIn,
    servers: ServersDep,
    gateway: GatewayDep,
) -> Envelope[Vps]:
    """Name the VPS anew."""
    return Envelope(data=_shown(gateway, await servers.rename(caller, vps_id, request.name)))


@router.delete("/{vps_id}", response_model=Envelope[Deleted], responses=FOUND)
async def delete_vps(
    vps_id: UUID, caller: SignedIn, servers: ServersDep, force: bool = False
) -> Envelope[Deleted]:
    """Delete the VPS (`force` is accepted: a running VPS is removed all the same)."""
    await servers.delete(caller, vps_id)
    return Envelope(data=Deleted(id=str(vps_id)))
