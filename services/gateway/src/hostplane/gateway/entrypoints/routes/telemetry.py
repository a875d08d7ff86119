"""Logs, AI usage and resource metrics: uploaded by instances (their own token), read by the
dashboard (JWT)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from hostplane.contracts.openclaw.telemetry import AIUsageResponse, LogsResponse, MetricsResponse
from hostplane.contracts.telemetry import LogLevel, LogUpload, UploadAccepted, UsageUpload
from hostplane.gateway.application.ports import MetricsPeriod, UsagePeriod
from hostplane.gateway.application.telemetry import LogQuery
from hostplane.gateway.entrypoints.dependencies import (
    InstanceToken,
    RawBody,
    TelemetryDep,
    User,
    body_schema,
    parse,
)
from hostplane.gateway.entrypoints.openapi import refusals
from hostplane.gateway.entrypoints.presenters import (
    logs_response,
    metrics_response,
    usage_response,
)

router = APIRouter(prefix="/api/instances", tags=["telemetry"])


@router.post(
    "/{instance_id}/logs",
    status_code=202,
    response_model=UploadAccepted,
    openapi_extra=body_schema(LogUpload),
)
async def upload_logs(
    instance_id: UUID, _: InstanceToken, body: RawBody, telemetry: TelemetryDep
) -> UploadAccepted:
    """An instance uploads a batch of log lines (with its own token)."""
    accepted = await telemetry.upload_logs(instance_id, parse(LogUpload, body))
    return UploadAccepted(accepted=accepted)


@router.post(
    "/{instance_id}/ai-usage",
    status_code=202,
    response_model=UploadAccepted,
    openapi_extra=body_schema(UsageUpload),
)
async def upload_usage(
    instance_id: UUID, _: InstanceToken, body: RawBody, telemetry: TelemetryDep
) -> UploadAccepted:
    """An instance reports AI requests it made (with its own token)."""
    accepted = await telemetry.upload_usage(instance_id, parse(UsageUpload, body))
    return UploadAccepted(accepted=accepted)


@router.get("/{instance_id}/logs", response_model=LogsResponse, responses=refusals(404))
async def read_logs(
    instance_id: UUID,
    principal: User,
    telemetry: TelemetryDep,
    lines: Annotated[int, Query(ge=1, le=1000)] = 100,
    since: datetime | None = None,
    level: LogLevel | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> LogsResponse:
    """The newest lines first; `next_cursor` pages to older ones. `level` is a minimum."""
    query = LogQuery(lines, since, level, cursor)
    return logs_response(instance_id, await telemetry.logs(principal, instance_id, query))


@router.get("/{instance_id}/ai-usage", response_model=AIUsageResponse, responses=refusals(404))
async def read_usage(
    instance_id: UUID, principal: User, telemetry: TelemetryDep, period: UsagePeriod = "7d"
) -> AIUsageResponse:
    """AI spend and tokens over the period, by model and by day (priced per model)."""
    usage = await telemetry.usage(principal, instance_id, period)
    return usage_response(instance_id, period, usage)


@router.get("/{instance_id}/metrics", response_model=MetricsResponse, responses=refusals(404))
async def read_metrics(
    instance_id: UUID, principal: User, telemetry: TelemetryDep, period: MetricsPeriod = "24h"
) -> MetricsResponse:
    """Resource usage: the latest provider sample, and its history bucketed for the period.

    Units: CPU in percent, RAM in MB, disk and network throughput in MB/s. RAM is reported
    where the provider sees it (Proxmox VMs), 0 where it does not (Hetzner); the disk fill
    level stays 0 until instances report it.
    """
    metrics = await telemetry.metrics(principal, instance_id, period)
    return metrics_response(metrics, period)
