"""Deliveries as the dispatcher sees them: claimed when due, in order per endpoint and key,
and their attempts recorded with what they decided."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row

from hostplane.webhooks.adapters import endpoints
from hostplane.webhooks.adapters.endpoints import SECRETS
from hostplane.webhooks.domain.endpoints import KeptSecret
from hostplane.webhooks.domain.events import with_user
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
    # At its first claim, the customer its body waited for, and that customer's account.
    awaiting_owner: UUID | None = None
    owner: UUID | None = None

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


# A due delivery is attempted when it is the earliest pending one of its endpoint and ordering
# key; its `next_attempt_at` becomes a lease, so no other replica takes it meanwhile, and one
# whose replica died is taken again when the lease ends. The earliest is found by a look-up in
# `deliveries_in_order` for each due delivery, whatever the planner's statistics say: written
# as NOT EXISTS, the plan chosen right after a burst of inserts (statistics from when nothing
# was pending) compared every due delivery with every pending one, 30 s for 20,000.
# A delivery whose body waits for its customer (not told of when it was queued: billing's
# events are consumed apart from the event's own topic) is due once the customer is known,
# with its account or without one, or once it has waited long enough (`owner_deadline`). Its
# claim settles the body.
CLAIM = """
WITH due AS (
    SELECT d.id, d.awaiting_owner,
           (SELECT c.account_id FROM customers c WHERE c.customer_id = d.awaiting_owner) AS owner
    FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= %(now)s AND e.enabled
      AND (d.awaiting_owner IS NULL OR d.created_at <= %(owner_deadline)s
           OR EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = d.awaiting_owner))
      AND d.seq = (
        SELECT min(p.seq) FROM deliveries p
        WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key
          AND p.status = 'pending'
      )
    ORDER BY d.next_attempt_at, d.seq
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE deliveries d
SET attempts = d.attempts + 1, round_attempts = d.round_attempts + 1,
    next_attempt_at = %(lease_until)s, awaiting_owner = NULL
FROM due, endpoints e
WHERE d.id = due.id AND e.id = d.endpoint_id
RETURNING d.id, d.endpoint_id, e.url, e.secrets, d.body, d.attempts, d.round_attempts,
          d.created_at, due.awaiting_owner, due.owner
"""


def claim(
    cur: Cursor[Any], now: datetime, limit: int, lease_until: datetime, owner_wait: timedelta
) -> list[Claimed]:
    """Up to `limit` due deliveries, each the next of its endpoint and key, leased to us.

    A body that waited for its customer gets the customer's account as `user_id`, or keeps
    null (it has none, or is still unknown past `owner_wait`); either way it is stored so,
    and every attempt sends it."""
    params = {
        "now": now,
        "limit": limit,
        "lease_until": lease_until,
        "owner_deadline": now - owner_wait,
    }
    with cur.connection.cursor(row_factory=class_row(Claimed)) as rows:
        rows.execute(CLAIM, params)
        claimed = rows.fetchall()
    return [_settled(cur, one) if one.owner else one for one in claimed]


def _settled(cur: Cursor[Any], claimed: Claimed) -> Claimed:
    assert claimed.owner is not None
    body = with_user(claimed.body, claimed.owner)
    cur.execute("UPDATE deliveries SET body = %s WHERE id = %s", (body, claimed.id))
    return replace(claimed, body=body)


@dataclass(frozen=True)
class Finished:
    """An attempt made on a claimed delivery, waiting to be recorded, and the `Retry-After`
    its answer asked for."""

    claimed: Claimed
    attempt: Attempt
    retry_after: str | None = None


# The verdict on a finished attempt, given its endpoint's failing streak (None: not failing).
Judge = Callable[[Finished, datetime | None], Verdict]

INSERT_ATTEMPT = (
    "INSERT INTO attempts (delivery_id, n, at, status, latency_ms, error, response) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
)
APPLY_VERDICT = (
    "UPDATE deliveries SET status = %s, next_attempt_at = %s, last_status = %s, "
    "delivered_at = CASE WHEN %s THEN %s ELSE delivered_at END "
    "WHERE id = %s AND attempts = %s AND status = 'pending' RETURNING id"
)


def record(
    cur: Cursor[Any], finished: Sequence[Finished], judge: Judge
) -> list[tuple[Finished, Verdict]]:
    """Log the attempts and apply each one's verdict to its delivery and endpoint, in one
    transaction: each endpoint is locked once, and its attempts are judged in turn, each
    given the failing streak the ones before it left. An attempt whose delivery was meanwhile
    cancelled, deleted or taken by another replica (whose attempt then decides) is logged and
    left out of what is returned."""
    by_endpoint: dict[UUID, list[Finished]] = {}
    for one in finished:
        by_endpoint.setdefault(one.claimed.endpoint_id, []).append(one)
    decided: list[tuple[Finished, Verdict]] = []
    # Endpoints in one order, so that two replicas' batches never wait on each other in a cycle.
    for endpoint_id in sorted(by_endpoint):
        cur.execute(
            "SELECT first_failure_at FROM endpoints WHERE id = %s FOR UPDATE", (endpoint_id,)
        )
        row = cur.fetchone()
        if row is None:
            continue
        streak: datetime | None = row[0]
        attempts = by_endpoint[endpoint_id]
        cur.executemany(INSERT_ATTEMPT, [_attempt_row(one) for one in attempts])
        for one in attempts:
            verdict = judge(one, streak)
            if not _apply(cur, one, verdict):
                continue
            decided.append((one, verdict))
            if verdict.failing_since != streak:
                streak = verdict.failing_since
                endpoints.update_fields(cur, endpoint_id, one.attempt.at, first_failure_at=streak)
            if verdict.disabled_reason:
                endpoints.disable(cur, endpoint_id, verdict.disabled_reason, one.attempt.at)
    return decided


def _attempt_row(one: Finished) -> tuple[object, ...]:
    attempt = one.attempt
    return (
        one.claimed.id,
        one.claimed.attempts,
        attempt.at,
        attempt.status,
        attempt.latency_ms,
        attempt.error,
        attempt.response,
    )


def _apply(cur: Cursor[Any], one: Finished, verdict: Verdict) -> bool:
    cur.execute(
        APPLY_VERDICT,
        (
            verdict.status,
            verdict.next_attempt_at,
            one.attempt.status,
            verdict.status is DeliveryStatus.DELIVERED,
            one.attempt.at,
            one.claimed.id,
            one.claimed.attempts,
        ),
    )
    return cur.fetchone() is not None
