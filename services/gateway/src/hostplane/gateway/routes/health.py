"""`GET /api/health`: for WHMCS's TestConnection and monitoring."""

import asyncio
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request

from hostplane.contracts.openclaw import ErrorCode, ErrorResponse, HealthResponse, iso
from hostplane.gateway.auth import DatabaseDep, SettingsDep
from hostplane.gateway.errors import ApiError

router = APIRouter(prefix="/api", tags=["health"])


async def broker_reachable(request: Request) -> bool:
    """Whether Kafka answers a metadata request within two seconds."""
    try:
        async with asyncio.timeout(2):
            await request.app.state.producer.fetch_metadata()
    except Exception:
        return False
    return True


@router.get("/health", response_model=HealthResponse, responses={503: {"model": ErrorResponse}})
async def health(request: Request, settings: SettingsDep, db: DatabaseDep) -> HealthResponse:
    """Database and broker reachability, checked for real: 503 when either is down."""
    db_ok, broker_ok = await asyncio.gather(db.ping(), broker_reachable(request))
    if not (db_ok and broker_ok):
        raise ApiError(
            503,
            ErrorCode.SERVICE_UNAVAILABLE,
            "Dependencies unreachable",
            {
                "db": "connected" if db_ok else "disconnected",
                "broker": "connected" if broker_ok else "disconnected",
            },
        )
    return HealthResponse(
        status="ok",
        version=settings.version,
        uptime=round(time.monotonic() - request.app.state.started, 3),
        db="connected",
        timestamp=iso(datetime.now(UTC)),
    )
