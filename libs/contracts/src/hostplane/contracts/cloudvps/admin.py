"""Seed 003, Admin Endpoints: the platform's figures and health, every customer's users, VPS
and tickets, and suspensions. Admins only."""

from typing import Annotated, Literal

from pydantic import Field

from hostplane.contracts.cloudvps.auth import Role, UserStatus
from hostplane.contracts.cloudvps.envelope import ListQuery
from hostplane.contracts.cloudvps.tickets import Ticket, TicketPriority, TicketStatus
from hostplane.contracts.cloudvps.vps import Vps, VpsStatus
from hostplane.contracts.cloudvps.wire import Body, Currency, Id, Money, Request


class PlatformStats(Body):
    total_users: int
    active_users: int
    total_vps: int
    vps_by_status: dict[VpsStatus, int]
    open_tickets: int
    monthly_revenue: Money
    currency: Currency


# Hostplane's addition to the admin lists: a name or an email, or their beginning.
Search = Annotated[str, Field(min_length=1, max_length=254, pattern=r"^[^\x00-\x1f\x7f]*$")]


class AdminUserQuery(ListQuery):
    status: UserStatus | None = None
    role: Role | None = None
    search: Search | None = None
    sort: Literal["created_at", "name", "email"] = "created_at"


class AdminVps(Vps):
    user_id: Id


class AdminVpsQuery(ListQuery):
    status: VpsStatus | None = None
    user_id: Id | None = None
    search: Search | None = None  # the VPS's name or its owner's email
    sort: Literal["created_at", "name", "status"] = "created_at"


class AdminTicket(Ticket):
    user_id: Id


class AdminTicketQuery(ListQuery):
    status: TicketStatus | None = None
    priority: TicketPriority | None = None
    user_id: Id | None = None
    sort: Literal["created_at", "updated_at", "priority", "status"] = "updated_at"


class SuspendRequest(Request):
    """Why, for the audit trail and the customer's notice; a body is optional."""

    reason: Annotated[str, Field(min_length=1, max_length=500)] | None = None


ServiceState = Literal["online", "degraded", "offline"]


class ServiceStates(Body):
    database: ServiceState
    proxmox: ServiceState  # the VPS provider, whichever cloud it is
    stripe: ServiceState
    email: ServiceState


class HealthMetrics(Body):
    """Users and running VPS; load average; memory and disk used, in percent."""

    total_users: int
    active_vps: int
    system_load: float
    memory_usage: float
    disk_usage: float


class ComponentCheck(Body):
    """One dependency asked for real: whether it answered, how fast, and why not."""

    status: Literal["up", "down"]
    latency_ms: float
    error: str | None = None


class SystemHealth(Body):
    """`checks` is Hostplane's addition: every dependency by name (database, kafka, each
    configured provider, stripe), each asked at once with a short timeout."""

    status: Literal["healthy", "degraded", "unhealthy"]
    services: ServiceStates
    metrics: HealthMetrics
    checks: dict[str, ComponentCheck] | None = None
