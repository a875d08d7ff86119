"""`GET /api/health`: for WHMCS's TestConnection and monitoring."""

from datetime import UTC, datetime

from fastapi import APIRouter

from hostplane.contracts.openclaw.instances import HealthResponse
from hostplane.contracts.vps import iso
from hostplane.gateway.entrypoints.dependencies import HealthDep, SettingsDep

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthResponse)
async def health(health: HealthDep, settings: SettingsDep) -> HealthResponse:
    """Database and broker reachability, checked for real: 503 when either is down."""
    uptime = await health.check()
    return HealthResponse(
        status="ok",
        version=settings.version,
        uptime=round(uptime, 3),
        db="connected",
        timestamp=iso(datetime.now(UTC)),
    )
