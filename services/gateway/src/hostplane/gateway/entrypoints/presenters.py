"""Read rows and use-case results as the contract's response bodies."""

import math
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from hostplane.contracts.openclaw.admin import (
    AdminInstancesResponse,
    AdminStatsResponse,
    AdminSummary,
    AdminUser,
    AdminUsersResponse,
    Pagination,
)
from hostplane.contracts.openclaw.instances import (
    DnsInfo,
    HealthInfo,
    InstanceResponse,
    ServerInfo,
)
from hostplane.contracts.openclaw.telemetry import (
    AIUsageResponse,
    CurrentUsage,
    DailyUsage,
    LogLine,
    LogsResponse,
    MetricsResponse,
    ModelUsage,
    UsageHistory,
)
from hostplane.contracts.vps import InstanceStatus, iso
from hostplane.gateway.application.fleet import Stats
from hostplane.gateway.application.ports import MetricsPeriod, UsagePeriod
from hostplane.gateway.application.readmodels import (
    InstanceRow,
    Listing,
    UsageSummary,
    UserPage,
)
from hostplane.gateway.application.telemetry import LogPage, Metrics
from hostplane.gateway.settings import Settings

DOWN = (InstanceStatus.SUSPENDED, InstanceStatus.TERMINATED, InstanceStatus.ERROR)


def _health(row: InstanceRow) -> HealthInfo:
    # Until health probes report, the ready callback is the last thing known of the app.
    status = InstanceStatus(row.status)
    gateway_status: Literal["up", "down", "unknown"] = "unknown"
    if status is InstanceStatus.ACTIVE and row.ready_at:
        gateway_status = "up"
    elif status in DOWN:
        gateway_status = "down"
    return HealthInfo(
        last_check=iso(row.ready_at or row.updated_at),
        gateway_status=gateway_status,
        uptime_percent=100.0 if gateway_status == "up" else 0.0,
    )


def instance_response(row: InstanceRow, settings: Settings) -> InstanceResponse:
    """The full `InstanceResponse`; the server's datacenter is what its provider reported."""
    return InstanceResponse(
        id=row.id,
        status=InstanceStatus(row.status),
        plan=row.plan,
        region=row.region,
        ip_address=row.ip_address,
        subdomain=row.subdomain,
        url=settings.instance_url(row.subdomain),
        openclaw_version=row.openclaw_version,
        created_at=iso(row.created_at),
        updated_at=iso(row.updated_at),
        whmcs_service_id=row.whmcs_service_id,
        server=ServerInfo(
            hetzner_id=row.hetzner_id or 0,
            server_type=row.server_type,
            datacenter=row.datacenter or "",
        ),
        dns=DnsInfo(subdomain=row.subdomain, cloudflare_record_id=row.dns_record_id or ""),
        health=_health(row),
    )


def logs_response(instance_id: UUID, page: LogPage) -> LogsResponse:
    return LogsResponse(
        instance_id=instance_id,
        logs=[
            LogLine(
                timestamp=iso(line.ts), level=line.level, message=line.message, source=line.source
            )
            for line in page.lines
        ],
        has_more=page.next_cursor is not None,
        next_cursor=page.next_cursor,
    )


def usage_response(instance_id: UUID, period: UsagePeriod, usage: UsageSummary) -> AIUsageResponse:
    return AIUsageResponse(
        instance_id=instance_id,
        period=period,
        total_cost_usd=round(usage.cost_usd, 6),
        total_tokens_in=usage.tokens_in,
        total_tokens_out=usage.tokens_out,
        by_model=[
            ModelUsage(
                model=row.model,
                tokens_in=row.tokens_in,
                tokens_out=row.tokens_out,
                cost_usd=round(row.cost_usd, 6),
                request_count=row.request_count,
            )
            for row in usage.by_model
        ],
        daily=[
            DailyUsage(date=row.date, cost_usd=round(row.cost_usd, 6), tokens=row.tokens)
            for row in usage.daily
        ],
    )


def metrics_response(metrics: Metrics, period: MetricsPeriod) -> MetricsResponse:
    """CPU in percent, RAM in MB, disk and network throughput in MB/s. Memory is reported
    where the provider sees it (Proxmox); Hetzner's is 0, as is the disk fill level."""
    latest, history, plan = metrics.latest, metrics.history, metrics.plan
    return MetricsResponse(
        current=CurrentUsage(
            cpu_percent=round(latest.cpu_percent, 2) if latest else 0.0,
            ram_used_mb=round(latest.ram_used_mb or 0.0, 1) if latest else 0.0,
            ram_total_mb=float(plan.memory_mb) if plan else 0.0,
            disk_used_gb=0.0,
            disk_total_gb=float(plan.disk_gb) if plan else 0.0,
            bandwidth_used_gb=round(latest.traffic_out_gb, 3) if latest else 0.0,
            bandwidth_total_gb=round(latest.traffic_gb, 3) if latest else 0.0,
        ),
        history=UsageHistory(
            timestamps=[iso(point.t) for point in history],
            cpu=[round(point.cpu_percent, 2) for point in history],
            ram=[round(point.ram_used_mb or 0.0, 1) for point in history],
            disk=[round(point.disk_mbps, 3) for point in history],
            network_in=[round(point.net_in_mbps, 3) for point in history],
            network_out=[round(point.net_out_mbps, 3) for point in history],
        ),
        period=period,
    )


def pagination(page: int, limit: int, total: int) -> Pagination:
    return Pagination(page=page, limit=limit, total=total, total_pages=math.ceil(total / limit))


def admin_instances_response(
    listing: Listing, page: int, limit: int, settings: Settings
) -> AdminInstancesResponse:
    fleet = listing.fleet
    return AdminInstancesResponse(
        instances=[instance_response(row, settings) for row in listing.instances],
        pagination=pagination(page, limit, listing.total),
        summary=AdminSummary(
            total_active=fleet.active,
            total_suspended=fleet.suspended,
            total_provisioning=fleet.provisioning,
            total_revenue_mrr=round(fleet.mrr_usd, 2),
        ),
    )


def admin_users_response(users: UserPage, page: int, limit: int) -> AdminUsersResponse:
    return AdminUsersResponse(
        users=[
            AdminUser(
                id=user.id,
                whmcs_client_id=user.whmcs_client_id,
                email=user.email,
                instances=user.instances,
                active_instances=user.active_instances,
                created_at=iso(user.created_at),
            )
            for user in users.users
        ],
        pagination=pagination(page, limit, users.total),
    )


def admin_stats_response(stats: Stats) -> AdminStatsResponse:
    return AdminStatsResponse(
        instances_total=sum(stats.by_status.values()),
        instances_by_status=stats.by_status,
        instances_by_region=stats.by_region,
        instances_by_plan=stats.by_plan,
        users_total=stats.users,
        revenue_mrr=round(stats.fleet.mrr_usd, 2),
        jobs_running=stats.jobs.running,
        jobs_failed_24h=stats.jobs.failed_24h,
        timestamp=iso(datetime.now(UTC)),
    )
