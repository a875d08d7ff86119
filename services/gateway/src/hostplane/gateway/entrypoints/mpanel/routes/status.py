"""Seed 002 §2: the load balancer's health check and the UI's system status."""

from fastapi import APIRouter

from hostplane.contracts.mpanel.status import Dependencies, Health, SystemStatus
from hostplane.gateway.entrypoints.dependencies import SettingsDep
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, SignedIn

router = APIRouter(prefix="/api", tags=["status"])


@router.get("/health", response_model=Health)
async def health() -> Health:
    """A quick OK for load balancers: the process serves."""
    return Health()


@router.get("/status", response_model=SystemStatus)
async def status(_: SignedIn, mpanel: MPanelDep, settings: SettingsDep) -> SystemStatus:
    """The API's version and uptime, and whether each dependency answers now."""
    report = await mpanel.status.report()
    return SystemStatus(
        version=settings.version,
        uptime_seconds=int(report.uptime_s),
        dependencies=Dependencies(
            database=report.database,
            redis=report.redis,
            queue=report.queue,
            proxmox=report.proxmox,
        ),
    )
