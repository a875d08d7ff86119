"""`/api/v1/admin`: the platform's admins see every user and VPS, the platform's figures and
the system's health, and suspend a user or one VPS. Admins only (403 for anyone else)."""

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query

from hostplane.contracts.catalog import Plan
from hostplane.contracts.cloudvps.admin import (
    AdminUserQuery,
    AdminVps,
    AdminVpsQuery,
    ComponentCheck,
    HealthMetrics,
    PlatformStats,
    ServiceState,
    ServiceStates,
    SuspendRequest,
    SystemHealth,
)
from hostplane.contracts.cloudvps.auth import UserProfile
from hostplane.contracts.cloudvps.envelope import Envelope, Pagination
from hostplane.contracts.cloudvps.vps import Vps, VpsStatus
from hostplane.contracts.money import to_major
from hostplane.gateway.application.cloudvps.admin import (
    AdminConsole,
    AdminVpsFilter,
    CheckResult,
    HealthReport,
    OwnedVps,
    UserFilter,
)
from hostplane.gateway.application.cloudvps.ports import AccountRow
from hostplane.gateway.application.mpanel.readmodels import Page
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import Admin
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep
from hostplane.gateway.settings import Settings

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], route_class=EnvelopeRoute)
GUARDED = refusals(401, 403)
SERVER_PROVIDERS = ("hetzner", "proxmox")


async def console(gateway: GatewayDep) -> AdminConsole:
    return gateway.cloudvps.admin


ConsoleDep = Annotated[AdminConsole, Depends(console)]
NoBody = Annotated[SuspendRequest | None, Body()]


def _pagination(page: int, limit: int, total: int) -> Pagination:
    return Pagination(
        page=page, limit=limit, total=total, has_next=page * limit < total, has_prev=page > 1
    )


def _user(row: AccountRow) -> UserProfile:
    return UserProfile(
        id=str(row.id),
        name=row.name,
        email=row.email,
        role="admin" if row.role == "admin" else "user",
        status="suspended" if row.status == "suspended" else "active",
        created_at=row.created_at,
    )


def _vps(settings: Settings, owned: OwnedVps) -> Vps:
    return presenters.vps(owned.vps, settings.plans[Plan(owned.vps.plan)])


def _admin_vps(settings: Settings, owned: OwnedVps) -> AdminVps:
    shown = _vps(settings, owned)
    return AdminVps(**shown.model_dump(), user_id=str(owned.user_id))


@router.get(
    "/users",
    response_model=Envelope[list[UserProfile]],
    responses=GUARDED,
)
async def list_users(
    _: Admin, admin: ConsoleDep, query: Annotated[AdminUserQuery, Query()]
) -> Envelope[list[UserProfile]]:
    """Every user: by status, role and a name or email's beginning, sorted and paged."""
    wanted = UserFilter(
        query.status,
        query.role,
        query.search,
        query.sort,
        query.order == "desc",
        query.page,
        query.limit,
    )
    found: Page[AccountRow] = await admin.users(wanted)
    return Envelope(
        data=[_user(row) for row in found.items],
        pagination=_pagination(query.page, query.limit, found.total),
    )


@router.get(
    "/vps",
    response_model=Envelope[list[AdminVps]],
    responses=GUARDED,
)
async def list_vps(
    _: Admin, admin: ConsoleDep, gateway: GatewayDep, query: Annotated[AdminVpsQuery, Query()]
) -> Envelope[list[AdminVps]]:
    """Every VPS with its owner: by status, owner and a name or email's beginning."""
    statuses = None
    if query.status is not None:
        statuses = presenters.INSTANCE_STATUSES.get(query.status, ("none",))
    owner = _uuid(query.user_id)
    if query.user_id is not None and owner is None:
        return Envelope(data=[], pagination=_pagination(query.page, query.limit, 0))
    wanted = AdminVpsFilter(
        statuses,
        owner,
        query.search,
        query.sort,
        query.order == "desc",
        query.page,
        query.limit,
    )
    found = await admin.servers(wanted)
    return Envelope(
        data=[_admin_vps(gateway.settings, owned) for owned in found.items],
        pagination=_pagination(query.page, query.limit, found.total),
    )


def _uuid(text: str | None) -> UUID | None:
    try:
        return UUID(text) if text else None
    except ValueError:
        return None  # no user has such an id


@router.get(
    "/stats",
    response_model=Envelope[PlatformStats],
    responses=GUARDED,
)
async def stats(_: Admin, admin: ConsoleDep) -> Envelope[PlatformStats]:
    """Users, VPS by status, open tickets and the revenue paid this month."""
    figures = await admin.figures(datetime.now(UTC))
    by_status: dict[VpsStatus, int] = {}
    for status, n in figures.vps_by_status.items():
        shown = presenters.VPS_STATUS.get(status, VpsStatus.ERROR)
        by_status[shown] = by_status.get(shown, 0) + n
    return Envelope(
        data=PlatformStats(
            total_users=figures.total_users,
            active_users=figures.active_users,
            total_vps=sum(figures.vps_by_status.values()),
            vps_by_status=by_status,
            open_tickets=figures.open_tickets,
            monthly_revenue=to_major(figures.revenue, figures.currency),
            currency=figures.currency,
        )
    )


@router.post(
    "/users/{user_id}/suspend",
    response_model=Envelope[UserProfile],
    responses=refusals(401, 403, 404),
)
async def suspend_user(
    user_id: UUID, caller: Admin, admin: ConsoleDep, body: NoBody = None
) -> Envelope[UserProfile]:
    """Suspend a user: they cannot sign in, and their running VPS are suspended."""
    row = await admin.suspend_user(caller, user_id, body.reason if body else None)
    return Envelope(data=_user(row))


@router.post(
    "/vps/{vps_id}/suspend",
    response_model=Envelope[Vps],
    responses=refusals(401, 403, 404, 409),
)
async def suspend_vps(
    vps_id: UUID, caller: Admin, admin: ConsoleDep, gateway: GatewayDep, body: NoBody = None
) -> Envelope[Vps]:
    """Suspend one VPS (its server powers off) for the reason given."""
    owned = await admin.suspend_vps(caller, vps_id, body.reason if body else None)
    return Envelope(data=_vps(gateway.settings, owned))


def _state(results: list[CheckResult]) -> ServiceState:
    if results and all(r.up for r in results):
        return "online"
    return "degraded" if any(r.up for r in results) else "offline"


def _health(report: HealthReport) -> SystemHealth:
    checks = report.checks
    database = checks.get("database")
    overall: Literal["healthy", "degraded", "unhealthy"] = "healthy"
    if not all(r.up for r in checks.values()):
        overall = "unhealthy" if database is None or not database.up else "degraded"
    providers = [checks[name] for name in SERVER_PROVIDERS if name in checks]
    stripe = [checks["stripe"]] if "stripe" in checks else []
    return SystemHealth(
        status=overall,
        services=ServiceStates(
            database=_state([database] if database else []),
            proxmox=_state(providers),
            stripe=_state(stripe),
            email="offline",  # Hostplane sends no email of its own
        ),
        metrics=HealthMetrics(
            total_users=report.total_users,
            active_vps=report.active_vps,
            system_load=report.host.load,
            memory_usage=report.host.memory_percent,
            disk_usage=report.host.disk_percent,
        ),
        checks={
            name: ComponentCheck(
                status="up" if r.up else "down", latency_ms=r.latency_ms, error=r.error
            )
            for name, r in checks.items()
        },
    )


@router.get(
    "/system/health",
    response_model=Envelope[SystemHealth],
    responses=GUARDED,
)
async def system_health(_: Admin, admin: ConsoleDep) -> Envelope[SystemHealth]:
    """The database, the broker, each configured provider and Stripe, asked at once."""
    return Envelope(data=_health(await admin.health()))
