"""Deliveries as the dispatcher sees them: claimed when due, in order per endpoint and key,
and their attempts recorded with what they decided."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row

from hostplane.webhooks.adapters import endpoints
from hostplane.webhooks.adapters.endpoints import SECRETS
from hostplane.webhooks.domain.endpoints import KeptSecret
from hostplane.webhooks.domain.verdicts import DeliveryStatus, Verdict

# The first KiB of an answer's body is kept with its attempt.
RESPONSE_SNIPPET = 1024


@dataclass(frozen=True)
class Claimed:
    """A delivery one replica is attempting: what to send where, and which attempt it is."""

    id: UUID
    endpoint_id: UUID
    url: str
    secrets: Any  # the endpoint's secrets as stored; see `kept`
    body: bytes
    attempts: int
    round_attempts: int
    created_at: datetime

    @property
    def kept(self) -> list[KeptSecret]:
        return SECRETS.validate_python(self.secrets)


@dataclass(frozen=True)
class Attempt:
    """One attempt as it is logged."""

    at: datetime
    status: int | None
    latency_ms: int
    error: str | None = None
    response: str | None = None


# A due delivery is attempted unless an earlier one of its endpoint and ordering key is still
# pending; its `next_attempt_at` becomes a lease, so no other replica takes it meanwhile, and
# one whose replica died is taken again when the lease ends.
CLAIM = """
WITH due AS (
    SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= %(now)s AND e.enabled
      AND NOT EXISTS (
        SELECT 1 FROM deliveries p
        WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key
          AND p.status = 'pending' AND p.seq < d.seq
      )
    ORDER BY d.next_attempt_at, d.seq
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE deliveries d
SET attempts = d.attempts + 1, round_attempts = d.round_attempts + 1,
    next_attempt_at = %(lease_until)s
FROM due, endpoints e
WHERE d.id = due.id AND e.id = d.endpoint_id
RETURNING d.id, d.endpoint_id, e.url, e.secrets, d.body, d.attempts, d.round_attempts,
          d.created_at
"""


def claim(cur: Cursor[Any], now: datetime, limit: int, lease_until: datetime) -> list[Claimed]:
    """Up to `limit` due deliveries, each the next of its endpoint and key, leased to us."""
    with cur.connection.cursor(row_factory=class_row(Claimed)) as rows:
        rows.execute(CLAIM, {"now": now, "limit": limit, "lease_until": lease_until})
        return rows.fetchall()


def record(
    cur: Cursor[Any],
    claimed: Claimed,
    attempt: Attempt,
    judge: Callable[[datetime | None], Verdict],
) -> Verdict | None:
    """Log the attempt and apply its verdict (given the endpoint's failing streak) to the
    delivery and its endpoint; None when the delivery was meanwhile cancelled, deleted or
    taken by another replica, whose attempt then decides."""
    cur.execute(
        "SELECT first_failure_at FROM endpoints WHERE id = %s FOR UPDATE", (claimed.endpoint_id,)
    )
    row = cur.fetchone()
    if row is None:
        return None
    cur.execute(
        "INSERT INTO attempts (delivery_id, n, at, status, latency_ms, error, response) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (
            claimed.id,
            claimed.attempts,
            attempt.at,
            attempt.status,
            attempt.latency_ms,
            attempt.error,
            attempt.response,
        ),
    )
    verdict = judge(row[0])
    cur.execute(
        "UPDATE deliveries SET status = %s, next_attempt_at = %s, last_status = %s, "
        "delivered_at = CASE WHEN %s THEN %s ELSE delivered_at END "
        "WHERE id = %s AND attempts = %s AND status = 'pending' RETURNING id",
        (
            verdict.status,
            verdict.next_attempt_at,
            attempt.status,
            verdict.status is DeliveryStatus.DELIVERED,
            attempt.at,
            claimed.id,
            claimed.attempts,
        ),
    )
    if cur.fetchone() is None:
        return None
    if verdict.failing_since != row[0]:
        endpoints.update_fields(
            cur, claimed.endpoint_id, attempt.at, first_failure_at=verdict.failing_since
        )
    if verdict.disabled_reason:
        endpoints.disable(cur, claimed.endpoint_id, verdict.disabled_reason, attempt.at)
    return verdict
