"""Queries on what instances and providers reported: log lines (keyset pages), AI usage and
resource samples."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg.rows import class_row

from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.ports import MetricsPeriod, UsagePeriod
from hostplane.gateway.application.readmodels import (
    DailyUsageRow,
    LogRow,
    ModelUsageRow,
    UsagePoint,
    UsageSample,
    UsageSummary,
)
from hostplane.gateway.domain.pages import LogCursor

PERIOD_START: dict[UsagePeriod, str] = {
    "today": "date_trunc('day', now())",
    "7d": "now() - interval '7 days'",
    "30d": "now() - interval '30 days'",
}

# Each period's window and the width of one point of its history.
HISTORY: dict[MetricsPeriod, tuple[str, str]] = {
    "1h": ("1 hour", "1 minute"),
    "24h": ("24 hours", "15 minutes"),
    "7d": ("7 days", "2 hours"),
    "30d": ("30 days", "12 hours"),
}


@dataclass(frozen=True, slots=True)
class _UsageGroup:
    """A row of the usage query: one model's sums, or one day's."""

    per_model: bool
    model: str | None
    date: str | None
    tokens_in: int
    tokens_out: int
    tokens: int
    cost_usd: float
    request_count: int


class TelemetryViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def logs(
        self,
        instance_id: UUID,
        lines: int,
        since: datetime | None,
        min_severity: int,
        before: LogCursor | None,
    ) -> list[LogRow]:
        """Up to `lines` + 1 entries, newest first, older than the cursor."""
        clauses = ["instance_id = %s", "severity >= %s"]
        params: list[Any] = [instance_id, min_severity]
        if since is not None:
            clauses.append("ts >= %s")
            params.append(since)
        if before is not None:
            clauses.append("(ts, id) < (%s, %s)")
            params.extend((before.ts, before.row_id))
        return await self._db.all(
            class_row(LogRow),
            "SELECT id, ts, level, message, source FROM views.instance_logs WHERE "  # noqa: S608
            + " AND ".join(clauses)
            + " ORDER BY ts DESC, id DESC LIMIT %s",
            [*params, lines + 1],
        )

    async def usage(self, instance_id: UUID, period: UsagePeriod) -> UsageSummary:
        """Per model and per day, from the start of the period until now.

        One statement, so both describe the same uploads even while more arrive.
        """
        groups = await self._db.all(
            class_row(_UsageGroup),
            "SELECT GROUPING(model) = 0 AS per_model, model, "  # noqa: S608
            "to_char(date_trunc('day', ts), 'YYYY-MM-DD') AS date, "
            "sum(tokens_in)::bigint AS tokens_in, sum(tokens_out)::bigint AS tokens_out, "
            "sum(tokens_in + tokens_out)::bigint AS tokens, "
            "sum(cost_usd)::float8 AS cost_usd, count(*) AS request_count "
            f"FROM views.ai_usage WHERE instance_id = %s AND ts >= {PERIOD_START[period]} "
            "GROUP BY GROUPING SETS ((model), (date_trunc('day', ts)))",
            (instance_id,),
        )
        by_model = [
            ModelUsageRow(g.model, g.tokens_in, g.tokens_out, g.cost_usd, g.request_count)
            for g in groups
            if g.per_model and g.model is not None
        ]
        daily = [
            DailyUsageRow(g.date, g.cost_usd, g.tokens)
            for g in groups
            if not g.per_model and g.date is not None
        ]
        by_model.sort(key=lambda row: (-row.cost_usd, row.model))
        daily.sort(key=lambda row: row.date)
        return UsageSummary(by_model, daily)

    async def latest_sample(self, instance_id: UUID) -> UsageSample | None:
        return await self._db.one(
            class_row(UsageSample),
            "SELECT cpu_percent, ram_used_mb, traffic_out_gb, traffic_gb "
            "FROM views.usage_samples WHERE instance_id = %s ORDER BY ts DESC LIMIT 1",
            (instance_id,),
        )

    async def history_between(
        self, instance_id: UUID, start: datetime, end: datetime, step: timedelta
    ) -> list[UsagePoint]:
        """Averages per `step` from `start` to `end`, oldest first; throughput in MB/s."""
        return await self._db.all(
            class_row(UsagePoint),
            """
            SELECT date_bin(%s::interval, ts, TIMESTAMPTZ '2000-01-01') AS t,
                   avg(cpu_percent) AS cpu_percent, avg(ram_used_mb) AS ram_used_mb,
                   avg(disk_bps) / 1e6::float8 AS disk_mbps,
                   avg(net_in_bps) / 1e6::float8 AS net_in_mbps,
                   avg(net_out_bps) / 1e6::float8 AS net_out_mbps
            FROM views.usage_samples
            WHERE instance_id = %s AND ts >= %s AND ts < %s
            GROUP BY 1 ORDER BY 1
            """,
            (step, instance_id, start, end),
        )

    async def history(self, instance_id: UUID, period: MetricsPeriod) -> list[UsagePoint]:
        """Averages per point of the period's history, oldest first; throughput in MB/s."""
        window, step = HISTORY[period]
        return await self._db.all(
            class_row(UsagePoint),
            """
            SELECT date_bin(%s::interval, ts, TIMESTAMPTZ '2000-01-01') AS t,
                   avg(cpu_percent) AS cpu_percent, avg(ram_used_mb) AS ram_used_mb,
                   avg(disk_bps) / 1e6::float8 AS disk_mbps,
                   avg(net_in_bps) / 1e6::float8 AS net_in_mbps,
                   avg(net_out_bps) / 1e6::float8 AS net_out_mbps
            FROM views.usage_samples
            WHERE instance_id = %s AND ts >= now() - %s::interval
            GROUP BY 1 ORDER BY 1
            """,
            (step, instance_id, window),
        )
