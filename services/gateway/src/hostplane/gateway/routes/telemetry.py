"""Logs and AI usage: uploaded by instances (their own token), read by the dashboard (JWT)."""

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query

from hostplane.contracts.catalog import PLANS, Plan
from hostplane.contracts.openclaw import (
    AIUsageResponse,
    CurrentUsage,
    DailyUsage,
    ErrorCode,
    ErrorResponse,
    LogLine,
    LogsResponse,
    MetricsResponse,
    ModelUsage,
    UsageHistory,
    iso,
)
from hostplane.contracts.telemetry import (
    SEVERITY,
    LogBatch,
    LogLevel,
    LogUpload,
    UploadAccepted,
    UsageBatch,
    UsageUpload,
)
from hostplane.gateway.adapters.telemetry_views import (
    TelemetryViews,
    decode_cursor,
    encode_cursor,
)
from hostplane.gateway.appstate import state
from hostplane.gateway.auth import User, visible
from hostplane.gateway.deps import BusDep, InstanceBody, ViewsDep, body_schema, parse
from hostplane.gateway.errors import ApiError

router = APIRouter(
    prefix="/api/instances",
    tags=["telemetry"],
    responses={status: {"model": ErrorResponse} for status in (400, 401, 404, 413)},
)


TelemetryDep = Annotated[TelemetryViews, Depends(state("telemetry_views"))]


@router.post(
    "/{instance_id}/logs",
    status_code=202,
    response_model=UploadAccepted,
    openapi_extra=body_schema(LogUpload),
)
async def upload_logs(instance_id: UUID, body: InstanceBody, bus: BusDep) -> UploadAccepted:
    """An instance uploads a batch of log lines (with its own token)."""
    upload = parse(LogUpload, body)
    await bus.submit(
        LogBatch(
            instance_id=instance_id,
            batch_id=upload.batch_id or uuid4(),
            received_at=datetime.now(UTC),
            entries=upload.entries,
        )
    )
    return UploadAccepted(accepted=len(upload.entries))


@router.post(
    "/{instance_id}/ai-usage",
    status_code=202,
    response_model=UploadAccepted,
    openapi_extra=body_schema(UsageUpload),
)
async def upload_usage(instance_id: UUID, body: InstanceBody, bus: BusDep) -> UploadAccepted:
    """An instance reports AI requests it made (with its own token)."""
    upload = parse(UsageUpload, body)
    await bus.submit(
        UsageBatch(
            instance_id=instance_id,
            batch_id=uuid4(),
            received_at=datetime.now(UTC),
            records=upload.records,
        )
    )
    return UploadAccepted(accepted=len(upload.records))


@router.get("/{instance_id}/logs", response_model=LogsResponse)
async def read_logs(
    instance_id: UUID,
    principal: User,
    views: ViewsDep,
    telemetry: TelemetryDep,
    lines: Annotated[int, Query(ge=1, le=1000)] = 100,
    since: datetime | None = None,
    level: LogLevel | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> LogsResponse:
    """The newest lines first; `next_cursor` pages to older ones. `level` is a minimum."""
    visible(principal, await views.instance_state(instance_id))
    try:
        before = decode_cursor(cursor) if cursor else None
    except ValueError as error:
        raise ApiError(
            400, ErrorCode.VALIDATION_ERROR, "Invalid cursor", {"cursor": "not a cursor"}
        ) from error
    rows = await telemetry.logs(instance_id, lines, since, SEVERITY[level] if level else 0, before)
    page, more = rows[:lines], len(rows) > lines
    return LogsResponse(
        instance_id=instance_id,
        logs=[
            LogLine(
                timestamp=iso(row["ts"]),
                level=row["level"],
                message=row["message"],
                source=row["source"],
            )
            for row in page
        ],
        has_more=more,
        next_cursor=encode_cursor(page[-1]["ts"], page[-1]["id"]) if more else None,
    )


@router.get("/{instance_id}/ai-usage", response_model=AIUsageResponse)
async def read_usage(
    instance_id: UUID,
    principal: User,
    views: ViewsDep,
    telemetry: TelemetryDep,
    period: Literal["today", "7d", "30d"] = "7d",
) -> AIUsageResponse:
    """AI spend and tokens over the period, by model and by day (priced per model)."""
    visible(principal, await views.instance_state(instance_id))
    usage = await telemetry.usage(instance_id, period)
    totals = usage["totals"]
    return AIUsageResponse(
        instance_id=instance_id,
        period=period,
        total_cost_usd=round(float(totals["cost"]), 6),
        total_tokens_in=int(totals["tin"]),
        total_tokens_out=int(totals["tout"]),
        by_model=[
            ModelUsage(
                model=row["model"],
                tokens_in=int(row["tokens_in"]),
                tokens_out=int(row["tokens_out"]),
                cost_usd=round(float(row["cost_usd"]), 6),
                request_count=int(row["request_count"]),
            )
            for row in usage["by_model"]
        ],
        daily=[
            DailyUsage(
                date=row["date"],
                cost_usd=round(float(row["cost_usd"]), 6),
                tokens=int(row["tokens"]),
            )
            for row in usage["daily"]
        ],
    )


@router.get("/{instance_id}/metrics", response_model=MetricsResponse)
async def read_metrics(
    instance_id: UUID,
    principal: User,
    views: ViewsDep,
    telemetry: TelemetryDep,
    period: Literal["1h", "24h", "7d", "30d"] = "24h",
) -> MetricsResponse:
    """Resource usage: the latest provider sample, and its history bucketed for the period.

    Units: CPU in percent, RAM in MB, disk and network throughput in MB/s. Hetzner's metrics
    API reports no memory or disk fill level, so `ram_used_mb` and `disk_used_gb` stay 0
    until instances report them.
    """
    row = visible(principal, await views.instance_state(instance_id))
    plan = PLANS[Plan(row["plan"])]
    latest, history = await asyncio.gather(
        telemetry.latest_sample(instance_id), telemetry.history(instance_id, period)
    )
    return MetricsResponse(
        current=CurrentUsage(
            cpu_percent=round(latest["cpu_percent"], 2) if latest else 0.0,
            ram_used_mb=0.0,
            ram_total_mb=float(plan.memory_gb * 1024),
            disk_used_gb=0.0,
            disk_total_gb=float(plan.disk_gb),
            bandwidth_used_gb=round(latest["traffic_out_gb"], 3) if latest else 0.0,
            bandwidth_total_gb=round(latest["traffic_gb"], 3) if latest else 0.0,
        ),
        history=UsageHistory(
            timestamps=[iso(point["t"]) for point in history],
            cpu=[round(point["cpu"], 2) for point in history],
            ram=[0.0 for _ in history],
            disk=[round(point["disk"] / 1e6, 3) for point in history],
            network_in=[round(point["net_in"] / 1e6, 3) for point in history],
            network_out=[round(point["net_out"] / 1e6, 3) for point in history],
        ),
        period=period,
    )
