"""A VPS's resource metrics and its console, for its own customer (another's VPS is 404).

Metrics are the samples provisioning reads from the server's provider (the same series as
OpenClaw's metrics), averaged per step of the period. The console is the provider's: asked
for through provisioning (`OpenConsole`), whose job brings it back with its password sealed
for the gateway, which opens it for this answer only.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hostplane.contracts.catalog import Plan, PlanSpec
from hostplane.contracts.commands import provisioning
from hostplane.contracts.secrets import SealedSecret, SecretBox
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.application.cloudvps.servers import Servers, VpsRow, refusal_of
from hostplane.gateway.application.ports import TelemetryReads
from hostplane.gateway.application.readmodels import UsagePoint, UsageSample
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import Conflict, JobFailed

# Each period's length and the width of one point of its history.
PERIODS: dict[str, tuple[timedelta, timedelta]] = {
    "hour": (timedelta(hours=1), timedelta(minutes=1)),
    "day": (timedelta(days=1), timedelta(minutes=15)),
    "week": (timedelta(days=7), timedelta(hours=2)),
    "month": (timedelta(days=30), timedelta(hours=12)),
}


@dataclass(frozen=True)
class VpsMetrics:
    vps: VpsRow
    plan: PlanSpec
    latest: UsageSample | None
    history: list[UsagePoint]


@dataclass(frozen=True)
class ConsoleAccess:
    url: str
    password: str
    expires_at: datetime


def window(
    period: str, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime, timedelta]:
    """The period back from `end` (now by default), or from `start` to `end` when given;
    points as wide as the period's."""
    length, step = PERIODS[period]
    end = end or (start + length if start and start + length < now else now)
    return start or end - length, end, step


@dataclass(frozen=True)
class Monitoring:
    servers: Servers
    telemetry: TelemetryReads
    box: SecretBox
    plans: Mapping[Plan, PlanSpec]

    async def metrics(
        self,
        caller: Caller,
        vps_id: UUID,
        period: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> VpsMetrics:
        """The latest sample and the period's history of the caller's VPS."""
        row = await self.servers.get(caller, vps_id)
        since, until, step = window(period, start, end, datetime.now(UTC))
        latest = await self.telemetry.latest_sample(vps_id)
        history = await self.telemetry.history_between(vps_id, since, until, step)
        return VpsMetrics(row, self.plans[Plan(row.plan)], latest, history)

    async def console(self, caller: Caller, vps_id: UUID) -> ConsoleAccess:
        """Console access to the caller's running VPS, from its provider, for a short while."""
        row = await self.servers.get(caller, vps_id)
        if row.status != "active" or row.stopped_at is not None:
            state = "stopped" if row.status == "active" else row.status
            raise Conflict(f"VPS is {state}: only a running VPS has a console", {"status": state})
        command = provisioning.OpenConsole(instance_id=vps_id)
        job = await self.servers.commands.jobs.outcome(PROVISIONING_COMMANDS, vps_id, command)
        if job.status == "failed":
            raise refusal_of(job)
        return self._opened(job.console)

    def _opened(self, console: dict[str, Any] | None) -> ConsoleAccess:
        if not console:
            raise JobFailed("The provider gave no console", code="CONSOLE_FAILED")
        url, password = (
            self.box.open(SealedSecret(sealed=console[field], fingerprint=""))
            for field in ("url", "password")
        )
        return ConsoleAccess(url, password, datetime.fromisoformat(console["expires_at"]))
