"""Logs, AI usage and resource metrics: uploaded by instances, read by the dashboard."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from hostplane.contracts.catalog import PlanSpec
from hostplane.contracts.telemetry import (
    SEVERITY,
    LogBatch,
    LogLevel,
    LogUpload,
    UsageBatch,
    UsageUpload,
)
from hostplane.gateway.application.ports import (
    CommandPublisher,
    InstanceReads,
    MetricsPeriod,
    TelemetryReads,
    UsagePeriod,
)
from hostplane.gateway.application.readmodels import (
    LogRow,
    UsagePoint,
    UsageSample,
    UsageSummary,
)
from hostplane.gateway.domain.access import Principal, visible
from hostplane.gateway.domain.pages import LogCursor
from hostplane.gateway.settings import Settings


@dataclass(frozen=True)
class LogQuery:
    lines: int
    since: datetime | None = None
    level: LogLevel | None = None  # the least severe level shown
    cursor: str | None = None


@dataclass(frozen=True)
class LogPage:
    lines: list[LogRow]
    next_cursor: str | None  # None: no older lines


@dataclass(frozen=True)
class Metrics:
    plan: PlanSpec | None  # None for a plan no longer configured
    latest: UsageSample | None
    history: list[UsagePoint]


@dataclass(frozen=True)
class Telemetry:
    settings: Settings
    instances: InstanceReads
    reads: TelemetryReads
    commands: CommandPublisher

    async def upload_logs(self, instance_id: UUID, upload: LogUpload) -> int:
        """Hand an instance's log lines on; returns how many were accepted."""
        await self.commands.submit(
            LogBatch(
                instance_id=instance_id,
                batch_id=upload.batch_id or uuid4(),
                received_at=datetime.now(UTC),
                entries=upload.entries,
            )
        )
        return len(upload.entries)

    async def upload_usage(self, instance_id: UUID, upload: UsageUpload) -> int:
        """Hand an instance's AI requests on; returns how many were accepted."""
        await self.commands.submit(
            UsageBatch(
                instance_id=instance_id,
                batch_id=uuid4(),
                received_at=datetime.now(UTC),
                records=upload.records,
            )
        )
        return len(upload.records)

    async def logs(self, principal: Principal, instance_id: UUID, query: LogQuery) -> LogPage:
        """The newest lines first, from below the cursor."""
        visible(principal, await self.instances.instance_state(instance_id))
        before = LogCursor.decode(query.cursor) if query.cursor else None
        severity = SEVERITY[query.level] if query.level else 0
        rows = await self.reads.logs(instance_id, query.lines, query.since, severity, before)
        page = rows[: query.lines]
        more = len(rows) > query.lines
        return LogPage(page, LogCursor(page[-1].ts, page[-1].id).encode() if more else None)

    async def usage(
        self, principal: Principal, instance_id: UUID, period: UsagePeriod
    ) -> UsageSummary:
        """AI spend and tokens over the period, by model and by day."""
        visible(principal, await self.instances.instance_state(instance_id))
        return await self.reads.usage(instance_id, period)

    async def metrics(
        self, principal: Principal, instance_id: UUID, period: MetricsPeriod
    ) -> Metrics:
        """The latest provider sample, the period's history, and what the plan includes."""
        state = visible(principal, await self.instances.instance_state(instance_id))
        latest, history = await asyncio.gather(
            self.reads.latest_sample(instance_id), self.reads.history(instance_id, period)
        )
        plan = next(
            (spec for name, spec in self.settings.plans.items() if name == state.plan), None
        )
        return Metrics(plan, latest, history)
