"""CloudVPS's admin console: every user and VPS of the platform's tenant, its figures, the
suspension of a user or of one VPS, and the system's health.

Suspending a user is billing's `SetAccountStatus`: the account can no longer sign in, its
tokens stop working, and billing suspends each of its running VPS (reason `account`).
Suspending one VPS is billing's `SuspendCloudPod` with the admin's reason: its server is
powered off (`SuspendInstance`), and only an admin's action lifts it. The system's health asks
every dependency for real, all at once, each within a short timeout.
"""

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from hostplane.contracts.commands.billing import SetAccountStatus, SuspendCloudPod
from hostplane.gateway.application.cloudvps.accounts import Accounts
from hostplane.gateway.application.cloudvps.ports import AccountRow
from hostplane.gateway.application.cloudvps.servers import VpsRow
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.readmodels import Page
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import Conflict, Forbidden, NotFound


@dataclass(frozen=True)
class UserFilter:
    status: str | None
    role: str | None
    search: str | None  # a name or an email, or their beginning
    sort: str  # created_at | name | email
    descending: bool
    page: int
    limit: int


@dataclass(frozen=True)
class AdminVpsFilter:
    statuses: tuple[str, ...] | None  # instance statuses; None: all but terminated
    user_id: UUID | None
    search: str | None  # the VPS's name or its owner's email, or their beginning
    sort: str  # created_at | name | status
    descending: bool
    page: int
    limit: int


@dataclass(frozen=True)
class OwnedVps:
    vps: VpsRow
    user_id: UUID  # the account whose customer pays for it


@dataclass(frozen=True)
class PlatformFigures:
    total_users: int
    active_users: int
    vps_by_status: dict[str, int]  # instance status → how many (terminated left out)
    open_tickets: int
    revenue: int  # paid this month, in minor units of `currency`
    currency: str


class AdminReads(Protocol):
    async def users(self, tenant_id: UUID, wanted: UserFilter) -> Page[AccountRow]: ...

    async def servers(self, tenant_id: UUID, wanted: AdminVpsFilter) -> Page[OwnedVps]: ...

    async def server(self, tenant_id: UUID, vps_id: UUID) -> OwnedVps | None: ...

    async def figures(self, tenant_id: UUID, month_start: datetime) -> PlatformFigures: ...


class CheckFailed(Exception):
    """A dependency did not answer as it should; the message says how, briefly."""


class Check(Protocol):
    async def check(self) -> None:
        """Ask the dependency for real; raises when it does not answer as it should."""
        ...


@dataclass(frozen=True)
class HostUsage:
    """This host's load average (1 min), and memory and disk used, in percent."""

    load: float
    memory_percent: float
    disk_percent: float


class HostFigures(Protocol):
    async def usage(self) -> HostUsage: ...


@dataclass(frozen=True)
class CheckResult:
    up: bool
    latency_ms: float
    error: str | None = None


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, CheckResult]
    total_users: int
    active_vps: int
    host: HostUsage


async def _timed(check: Check, timeout_s: float) -> CheckResult:
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout_s):
            await check.check()
    except TimeoutError:
        error: str | None = f"no answer within {timeout_s:g} s"
    except CheckFailed as failed:
        error = str(failed)
    else:
        error = None
    latency_ms = round((time.monotonic() - started) * 1000, 1)
    return CheckResult(error is None, latency_ms, error)


@dataclass(frozen=True)
class AdminConsole:
    reads: AdminReads
    accounts: Accounts
    commands: PanelCommands
    checks: dict[str, Check]
    host: HostFigures
    check_timeout_s: float

    @property
    def tenant_id(self) -> UUID:
        return self.accounts.tenant_id

    async def users(self, wanted: UserFilter) -> Page[AccountRow]:
        """Every account of the platform, filtered, searched, sorted and paged."""
        return await self.reads.users(self.tenant_id, wanted)

    async def servers(self, wanted: AdminVpsFilter) -> Page[OwnedVps]:
        """Every VPS of the platform, with its owner."""
        return await self.reads.servers(self.tenant_id, wanted)

    async def figures(self, now: datetime) -> PlatformFigures:
        """Users, VPS by status, open tickets and this month's revenue."""
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return await self.reads.figures(self.tenant_id, month_start)

    async def suspend_user(self, admin: Caller, user_id: UUID, reason: str | None) -> AccountRow:
        """Suspend an account: it cannot sign in, and its running VPS are suspended."""
        if user_id == admin.user_id:
            raise Forbidden("Admins cannot suspend themselves")
        row = await self.accounts.accounts.account(self.tenant_id, user_id)
        if row is None:
            if await self.accounts.operators.operator(self.tenant_id, user_id) is not None:
                raise Forbidden("The platform's admins are managed in mPanel")
            raise NotFound("User not found")
        if row.role == "admin":
            raise Forbidden("An admin cannot be suspended here")
        if row.status == "suspended":
            return row
        command = SetAccountStatus(
            tenant_id=self.tenant_id,
            account_id=user_id,
            actor_id=admin.user_id,
            status="suspended",
            reason=reason,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id,
            lambda: self.accounts.accounts.account(self.tenant_id, user_id),
            lambda changed: changed.status == "suspended",
        )

    async def suspend_vps(self, admin: Caller, vps_id: UUID, reason: str | None) -> OwnedVps:
        """Suspend one VPS (its server powers off); CONFLICT when it is not running."""
        found = await self.reads.server(self.tenant_id, vps_id)
        if found is None or found.vps.status == "terminated":
            raise NotFound("VPS not found")
        if found.vps.status == "suspended":
            return found
        if found.vps.status != "active":
            raise Conflict(f"The VPS is {found.vps.status}, not running")
        command = SuspendCloudPod(
            tenant_id=self.tenant_id, actor_id=admin.user_id, instance_id=vps_id, reason=reason
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id,
            lambda: self.reads.server(self.tenant_id, vps_id),
            lambda changed: changed.vps.status == "suspended",
        )

    async def health(self) -> HealthReport:
        """Every dependency asked at once, each within the timeout; the platform's figures
        and this host's usage beside them."""
        names = list(self.checks)
        results = await asyncio.gather(
            *(_timed(self.checks[name], self.check_timeout_s) for name in names)
        )
        checks = dict(zip(names, results, strict=True))
        database = checks.get("database")
        figures = await self.figures(datetime.now(UTC)) if database and database.up else None
        return HealthReport(
            checks=checks,
            total_users=figures.total_users if figures else 0,
            active_vps=figures.vps_by_status.get("active", 0) if figures else 0,
            host=await self.host.usage(),
        )
