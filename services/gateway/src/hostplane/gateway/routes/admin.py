"""Admin endpoints (admin JWT): the fleet, its users, platform statistics."""

import asyncio
import math
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hostplane.contracts.catalog import Region
from hostplane.contracts.openclaw import (
    AdminInstancesResponse,
    AdminStatsResponse,
    AdminSummary,
    AdminUser,
    AdminUsersResponse,
    ErrorResponse,
    InstanceStatus,
    Pagination,
    iso,
)
from hostplane.gateway.adapters.admin_views import AdminViews, InstanceFilter
from hostplane.gateway.appstate import state
from hostplane.gateway.auth import Admin, SettingsDep
from hostplane.gateway.presenters import instance_response

router = APIRouter(
    prefix="/api/admin",
    tags=["admin"],
    responses={status: {"model": ErrorResponse} for status in (400, 401, 403)},
)

MAX_LIMIT = 100


AdminViewsDep = Annotated[AdminViews, Depends(state("admin_views"))]
Page = Annotated[int, Query(ge=1, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def pagination(page: int, limit: int, total: int) -> Pagination:
    return Pagination(page=page, limit=limit, total=total, total_pages=math.ceil(total / limit))


@router.get("/instances", response_model=AdminInstancesResponse)
async def list_instances(
    _: Admin,
    settings: SettingsDep,
    views: AdminViewsDep,
    status: InstanceStatus | None = None,
    region: Region | None = None,
    search: Annotated[str | None, Query(max_length=254)] = None,
    page: Page = 1,
    limit: Limit = 20,
) -> AdminInstancesResponse:
    """Every instance, filtered and paginated, with fleet totals and MRR."""
    filters = InstanceFilter(
        status=status.value if status else None,
        region=region.value if region else None,
        search=search or None,
    )
    listing = await views.instances(filters, page, limit)
    return AdminInstancesResponse(
        instances=[instance_response(row, settings) for row in listing.rows],
        pagination=pagination(page, limit, listing.total),
        summary=AdminSummary(
            total_active=listing.fleet["active"],
            total_suspended=listing.fleet["suspended"],
            total_provisioning=listing.fleet["provisioning"],
            total_revenue_mrr=round(float(listing.fleet["mrr"]), 2),
        ),
    )


@router.get("/users", response_model=AdminUsersResponse)
async def list_users(
    _: Admin, views: AdminViewsDep, page: Page = 1, limit: Limit = 20
) -> AdminUsersResponse:
    """Dashboard users (WHMCS clients), with their instance counts."""
    rows, total = await views.users(page, limit)
    return AdminUsersResponse(
        users=[
            AdminUser(
                id=row["id"],
                whmcs_client_id=row["whmcs_client_id"],
                email=row["email"],
                instances=row["instances"],
                active_instances=row["active_instances"],
                created_at=iso(row["created_at"]),
            )
            for row in rows
        ],
        pagination=pagination(page, limit, total),
    )


@router.get("/stats", response_model=AdminStatsResponse)
async def stats(_: Admin, views: AdminViewsDep) -> AdminStatsResponse:
    """Platform statistics: instances by status, region and plan; users; MRR; jobs."""
    by_status, by_region, by_plan, fleet, users, jobs = await asyncio.gather(
        views.counts("status"),
        views.counts("region"),
        views.counts("plan"),
        views.fleet(),
        views.users_total(),
        views.jobs(),
    )
    return AdminStatsResponse(
        instances_total=sum(by_status.values()),
        instances_by_status=by_status,
        instances_by_region=by_region,
        instances_by_plan=by_plan,
        users_total=users,
        revenue_mrr=round(float(fleet["mrr"]), 2),
        jobs_running=jobs["running"],
        jobs_failed_24h=jobs["failed_24h"],
        timestamp=iso(datetime.now(UTC)),
    )
