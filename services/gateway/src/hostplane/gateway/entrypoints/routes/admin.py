"""Admin endpoints (admin JWT): the fleet, its users, platform statistics."""

from typing import Annotated

from fastapi import APIRouter, Query

from hostplane.contracts.catalog import Region
from hostplane.contracts.openclaw.admin import (
    AdminInstancesResponse,
    AdminStatsResponse,
    AdminUsersResponse,
)
from hostplane.contracts.vps import InstanceStatus
from hostplane.gateway.application.readmodels import InstanceFilter
from hostplane.gateway.entrypoints.dependencies import Admin, FleetDep, SettingsDep
from hostplane.gateway.entrypoints.presenters import (
    admin_instances_response,
    admin_stats_response,
    admin_users_response,
)

router = APIRouter(prefix="/api/admin", tags=["admin"])

Page = Annotated[int, Query(ge=1, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=100)]
# An email or its beginning; printable text, as emails are.
Search = Annotated[str | None, Query(max_length=254, pattern=r"^[^\x00-\x1f\x7f]*$")]


@router.get("/instances", response_model=AdminInstancesResponse)
async def list_instances(
    _: Admin,
    fleet: FleetDep,
    settings: SettingsDep,
    status: InstanceStatus | None = None,
    region: Region | None = None,
    search: Search = None,
    page: Page = 1,
    limit: Limit = 20,
) -> AdminInstancesResponse:
    """Every instance, filtered and paginated, with fleet totals and MRR."""
    filters = InstanceFilter(
        status=status.value if status else None,
        region=region.value if region else None,
        search=search or None,
    )
    listing = await fleet.instances(filters, page, limit)
    return admin_instances_response(listing, page, limit, settings)


@router.get("/users", response_model=AdminUsersResponse)
async def list_users(
    _: Admin, fleet: FleetDep, page: Page = 1, limit: Limit = 20
) -> AdminUsersResponse:
    """Dashboard users (WHMCS clients), with their instance counts."""
    return admin_users_response(await fleet.users(page, limit), page, limit)


@router.get("/stats", response_model=AdminStatsResponse)
async def stats(_: Admin, fleet: FleetDep) -> AdminStatsResponse:
    """Platform statistics: instances by status, region and plan; users; MRR; jobs."""
    return admin_stats_response(await fleet.stats())
