"""Queries on what instances reported: log lines (keyset pages) and AI usage."""

import base64
from datetime import datetime
from typing import Any
from uuid import UUID

from hostplane.gateway.adapters.database import Database

PERIOD_START = {
    "today": "date_trunc('day', now())",
    "7d": "now() - interval '7 days'",
    "30d": "now() - interval '30 days'",
}


def encode_cursor(ts: datetime, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{ts.isoformat()}|{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (timestamp, id) a page ended at; ValueError when it is not one of ours."""
    text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    ts, _, row_id = text.partition("|")
    return datetime.fromisoformat(ts), int(row_id)


# Each period's window and the width of one point of its history.
HISTORY = {
    "1h": ("1 hour", "1 minute"),
    "24h": ("24 hours", "15 minutes"),
    "7d": ("7 days", "2 hours"),
    "30d": ("30 days", "12 hours"),
}


class TelemetryViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def logs(
        self,
        instance_id: UUID,
        lines: int,
        since: datetime | None,
        min_severity: int,
        before: tuple[datetime, int] | None,
    ) -> list[dict[str, Any]]:
        """Up to `lines` + 1 entries, newest first, older than the cursor."""
        clauses = ["instance_id = %s", "severity >= %s"]
        params: list[Any] = [instance_id, min_severity]
        if since is not None:
            clauses.append("ts >= %s")
            params.append(since)
        if before is not None:
            clauses.append("(ts, id) < (%s, %s)")
            params.extend(before)
        return await self._db.all(
            "SELECT id, ts, level, message, source FROM views.instance_logs WHERE "  # noqa: S608
            + " AND ".join(clauses)
            + " ORDER BY ts DESC, id DESC LIMIT %s",
            [*params, lines + 1],
        )

    async def usage(self, instance_id: UUID, period: str) -> dict[str, Any]:
        """Totals, per model and per day, from the start of the period until now.

        One statement, so all three describe the same uploads even while more arrive; the
        totals are the sums of the models'.
        """
        rows = await self._db.all(
            "SELECT GROUPING(model) = 0 AS per_model, model, "  # noqa: S608
            "to_char(date_trunc('day', ts), 'YYYY-MM-DD') AS date, "
            "sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out, "
            "sum(tokens_in + tokens_out) AS tokens, "
            "sum(cost_usd) AS cost_usd, count(*) AS request_count "
            f"FROM views.ai_usage WHERE instance_id = %s AND ts >= {PERIOD_START[period]} "
            "GROUP BY GROUPING SETS ((model), (date_trunc('day', ts)))",
            (instance_id,),
        )
        by_model = sorted(
            (row for row in rows if row["per_model"]),
            key=lambda row: (-row["cost_usd"], row["model"]),
        )
        totals = {
            "cost": sum(row["cost_usd"] for row in by_model),
            "tin": sum(row["tokens_in"] for row in by_model),
            "tout": sum(row["tokens_out"] for row in by_model),
        }
        daily = sorted((row for row in rows if not row["per_model"]), key=lambda row: row["date"])
        return {"totals": totals, "by_model": by_model, "daily": daily}

    async def latest_sample(self, instance_id: UUID) -> dict[str, Any] | None:
        return await self._db.one(
            "SELECT * FROM views.usage_samples WHERE instance_id = %s ORDER BY ts DESC LIMIT 1",
            (instance_id,),
        )

    async def history(self, instance_id: UUID, period: str) -> list[dict[str, Any]]:
        """Averages per point of the period's history, oldest first."""
        window, step = HISTORY[period]
        return await self._db.all(
            """
            SELECT date_bin(%s::interval, ts, TIMESTAMPTZ '2000-01-01') AS t,
                   avg(cpu_percent) AS cpu, avg(disk_bps) AS disk,
                   avg(net_in_bps) AS net_in, avg(net_out_bps) AS net_out
            FROM views.usage_samples
            WHERE instance_id = %s AND ts >= now() - %s::interval
            GROUP BY 1 ORDER BY 1
            """,
            (step, instance_id, window),
        )
