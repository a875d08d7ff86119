"""Endpoints' rows, and what their commands change, inside a transaction's cursor."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import TypeAdapter

from hostplane.webhooks.domain.endpoints import KeptSecret
from hostplane.webhooks.domain.verdicts import DeliveryStatus

SECRETS = TypeAdapter(list[KeptSecret])


@dataclass(frozen=True)
class Subscription:
    """An enabled endpoint and the event patterns it subscribes to."""

    id: UUID
    events: list[str]


def secrets_json(kept: list[KeptSecret]) -> Jsonb:
    return Jsonb(SECRETS.dump_python(kept, mode="json"))


def insert_endpoint(
    cur: Cursor[Any],
    endpoint_id: UUID,
    url: str,
    events: list[str],
    kept: list[KeptSecret],
    description: str,
    now: datetime,
) -> bool:
    """Store a new endpoint; False when one with this id exists."""
    cur.execute(
        "INSERT INTO endpoints (id, url, events, secrets, description, created_at, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
        (endpoint_id, url, events, secrets_json(kept), description, now, now),
    )
    return cur.fetchone() is not None


def exists(cur: Cursor[Any], endpoint_id: UUID) -> bool:
    """Whether the endpoint exists; its row is locked until the transaction ends."""
    cur.execute("SELECT 1 FROM endpoints WHERE id = %s FOR UPDATE", (endpoint_id,))
    return cur.fetchone() is not None


def update_fields(cur: Cursor[Any], endpoint_id: UUID, now: datetime, **fields: object) -> None:
    """Set the given columns of an endpoint."""
    assignments = ", ".join(f"{name} = %({name})s" for name in fields)
    cur.execute(
        f"UPDATE endpoints SET {assignments}, updated_at = %(now)s WHERE id = %(id)s",  # noqa: S608 - column names are ours
        {**fields, "now": now, "id": endpoint_id},
    )


def enable(cur: Cursor[Any], endpoint_id: UUID, now: datetime) -> None:
    """Enable the endpoint, forgetting why it was disabled and its failing streak."""
    update_fields(
        cur,
        endpoint_id,
        now,
        enabled=True,
        disabled_reason=None,
        disabled_at=None,
        first_failure_at=None,
    )


def disable(cur: Cursor[Any], endpoint_id: UUID, reason: str, now: datetime) -> None:
    """Disable the endpoint for `reason` and cancel its pending deliveries."""
    update_fields(cur, endpoint_id, now, enabled=False, disabled_reason=reason, disabled_at=now)
    cur.execute(
        "UPDATE deliveries SET status = %s, next_attempt_at = NULL "
        "WHERE endpoint_id = %s AND status = %s",
        (DeliveryStatus.CANCELLED, endpoint_id, DeliveryStatus.PENDING),
    )


def delete(cur: Cursor[Any], endpoint_id: UUID) -> None:
    """Remove the endpoint and its deliveries' log."""
    cur.execute("DELETE FROM endpoints WHERE id = %s", (endpoint_id,))


def kept_secrets(cur: Cursor[Any], endpoint_id: UUID) -> list[KeptSecret] | None:
    """The endpoint's secrets, newest first (its row locked); None if there is no endpoint."""
    cur.execute("SELECT secrets FROM endpoints WHERE id = %s FOR UPDATE", (endpoint_id,))
    row = cur.fetchone()
    return None if row is None else SECRETS.validate_python(row[0])


def subscriptions(cur: Cursor[Any]) -> list[Subscription]:
    """Every enabled endpoint; locked against disabling until the transaction ends, so no
    delivery is queued for an endpoint disabled meanwhile."""
    with cur.connection.cursor(row_factory=class_row(Subscription)) as rows:
        rows.execute("SELECT id, events FROM endpoints WHERE enabled ORDER BY id FOR SHARE")
        return rows.fetchall()


# Queue deliveries of an enabled endpoint again, as a new round of attempts under their own
# ids (their `webhook-id`s, so receivers that have them drop them).
REQUEUE = (
    "UPDATE deliveries d SET status = 'pending', round_attempts = 0, next_attempt_at = %(now)s "
    "FROM endpoints e WHERE e.id = d.endpoint_id AND e.enabled AND d.status <> 'pending' "
)


def requeue_one(cur: Cursor[Any], delivery_id: UUID, now: datetime) -> bool:
    """Queue one delivery again; False if it is unknown, pending, or its endpoint disabled."""
    cur.execute(REQUEUE + "AND d.id = %(id)s", {"id": delivery_id, "now": now})
    return cur.rowcount > 0


def requeue_since(cur: Cursor[Any], endpoint_id: UUID, since: datetime, now: datetime) -> int:
    """Queue again an endpoint's failed and cancelled deliveries made since `since`."""
    cur.execute(
        REQUEUE + "AND d.endpoint_id = %(endpoint)s AND d.created_at >= %(since)s "
        "AND d.status IN ('failed', 'cancelled')",
        {"endpoint": endpoint_id, "since": since, "now": now},
    )
    return cur.rowcount
