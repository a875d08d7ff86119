"""`GET /api/health`: for WHMCS's TestConnection and monitoring."""

import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request

from hostplane.contracts.openclaw import ErrorCode, ErrorResponse, HealthResponse, iso
from hostplane.gateway.auth import SettingsDep
from hostplane.gateway.errors import ApiError

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": ErrorResponse}})
async def health(request: Request, settings: SettingsDep) -> HealthResponse:
    """Liveness with a real database check: 503 when the database does not answer."""
    if not await request.app.state.views.ping():
        raise ApiError(
            503, ErrorCode.SERVICE_UNAVAILABLE, "Database unreachable", {"db": "disconnected"}
        )
    return HealthResponse(
        status="ok",
        version=settings.version,
        uptime=round(time.monotonic() - request.app.state.started, 3),
        db="connected",
        timestamp=iso(datetime.now(UTC)),
    )
