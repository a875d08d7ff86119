"""Where billing's clock finds work: subscriptions whose period ended, unpaid invoices past due.

It reads the read models (`views`), which may lag the events a little: that only delays the
work. What is found becomes a command with an id derived from it, and the aggregate decides
again, so work found twice, by two replicas or two ticks, is done once.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import psycopg
from psycopg.rows import class_row

# A bound on the work one tick sends: the next tick takes the rest.
BATCH = 20_000


@dataclass(frozen=True)
class DueRenewal:
    id: UUID
    tenant_id: UUID
    period_end: datetime


@dataclass(frozen=True)
class UnpaidInvoice:
    id: UUID
    tenant_id: UUID
    due_at: datetime


class DueWork:
    def __init__(self, database_url: str, schema: str = "views") -> None:
        self._url = database_url
        self._schema = schema

    def renewals(self, now: datetime) -> list[DueRenewal]:
        """Live subscriptions whose period has ended by `now`."""
        with (
            psycopg.connect(self._url) as conn,
            conn.cursor(row_factory=class_row(DueRenewal)) as cur,
        ):
            cur.execute(
                f"SELECT id, tenant_id, period_end FROM {self._schema}.subscriptions "  # noqa: S608
                "WHERE status <> 'cancelled' AND period_end <= %s ORDER BY period_end LIMIT %s",
                (now, BATCH),
            )
            return cur.fetchall()

    def unpaid(self, now: datetime) -> list[UnpaidInvoice]:
        """Unpaid invoices whose due date has passed by `now`."""
        with (
            psycopg.connect(self._url) as conn,
            conn.cursor(row_factory=class_row(UnpaidInvoice)) as cur,
        ):
            cur.execute(
                f"SELECT id, tenant_id, due_at FROM {self._schema}.invoices "  # noqa: S608
                "WHERE status = 'unpaid' AND due_at <= %s ORDER BY due_at LIMIT %s",
                (now, BATCH),
            )
            return cur.fetchall()
