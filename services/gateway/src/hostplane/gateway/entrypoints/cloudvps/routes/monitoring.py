"""`/api/v1/vps/{id}/metrics` and `/console`: a VPS's resource usage and its console, for its
own customer (another user's VPS is 404)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from hostplane.contracts.cloudvps.envelope import Envelope
from hostplane.contracts.cloudvps.monitoring import Console, Metrics, MetricsQuery
from hostplane.gateway.application.cloudvps.monitoring import Monitoring
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(prefix="/api/v1/vps", tags=["vps monitoring"], route_class=EnvelopeRoute)


async def monitoring(gateway: GatewayDep) -> Monitoring:
    return gateway.cloudvps.monitoring


MonitoringDep = Annotated[Monitoring, Depends(monitoring)]


@router.get(
    "/{vps_id}/metrics", response_model=Envelope[Metrics], responses=refusals(401, 404, 422)
)
async def vps_metrics(
    vps_id: UUID,
    query: Annotated[MetricsQuery, Query()],
    caller: SignedIn,
    monitoring: MonitoringDep,
) -> Envelope[Metrics]:
    """Resource usage: the latest sample and the period's history."""
    found = await monitoring.metrics(caller, vps_id, query.period, query.start_time, query.end_time)
    return Envelope(data=presenters.metrics(found))


@router.get(
    "/{vps_id}/console", response_model=Envelope[Console], responses=refusals(401, 404, 409, 502)
)
async def vps_console(
    vps_id: UUID, caller: SignedIn, monitoring: MonitoringDep
) -> Envelope[Console]:
    """Console access (VNC) to the running VPS, valid for a short while."""
    return Envelope(data=presenters.console(await monitoring.console(caller, vps_id)))
