"""`GET /api/health` for WHMCS's TestConnection and monitoring; `/health/live` and
`/health/ready` for Docker, compose and Kubernetes (left out of the OpenAPI document)."""

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from hostplane.contracts.openclaw.instances import HealthResponse
from hostplane.contracts.vps import iso
from hostplane.gateway.entrypoints.dependencies import HealthDep, SettingsDep
from hostplane.gateway.settings import Settings
from hostplane.messaging.health import HEALTH, database_answers, loop_answers

router = APIRouter(prefix="/api", tags=["health"])
probes = APIRouter(tags=["health"], include_in_schema=False)
PROBE_PATHS = ("/health/live", "/health/ready")


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


@probes.get("/health/live")
async def live() -> JSONResponse:
    """Liveness: the gateway's event loop answers."""
    return _answer(*await asyncio.to_thread(HEALTH.live))


@probes.get("/health/ready")
async def ready() -> JSONResponse:
    """Readiness: live, and PostgreSQL answers."""
    return _answer(*await asyncio.to_thread(HEALTH.ready))


def watch_gateway(settings: Settings) -> None:
    """What the probes check, here and on the metrics listener: the running loop, the
    database (the gateway consumes nothing)."""
    HEALTH.live_when("loop", loop_answers(asyncio.get_running_loop()))
    HEALTH.ready_when("database", database_answers(settings.database_url))


def _answer(ok: bool, checks: dict[str, str]) -> JSONResponse:
    return JSONResponse(
        {"status": "ok" if ok else "failing", "checks": checks}, status_code=200 if ok else 503
    )
