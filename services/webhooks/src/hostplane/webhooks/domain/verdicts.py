"""What one attempt's answer does to its delivery and to its endpoint.

Only a 2xx delivers, and it clears the endpoint's failing streak. A 410 disables the
endpoint: this delivery fails and the endpoint's other pending deliveries are cancelled.
Anything else is retried on the schedule of `retries` (its `Retry-After` honoured) until the
attempts run out; an endpoint whose every attempt has failed for `DISABLE_AFTER` is disabled
the same way as by a 410.
"""

import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hostplane.webhooks.domain.retries import (
    DISABLE_AFTER,
    Outcome,
    classify,
    endpoint_failing_too_long,
    next_attempt_at,
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Answer:
    """What an attempt got back: the HTTP status (None: no answer) and its `Retry-After`."""

    status: int | None
    retry_after: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The delivery's status after the attempt, when it is tried again, and the endpoint's
    fate: since when it has been failing (None: it is not), and why it is disabled, if it is."""

    status: DeliveryStatus
    next_attempt_at: datetime | None
    failing_since: datetime | None
    disabled_reason: str | None = None


def judge(
    answer: Answer,
    attempt: int,
    now: datetime,
    failing_since: datetime | None,
    rng: random.Random,
) -> Verdict:
    """The verdict on attempt number `attempt` (counted from 1 since the delivery was last
    queued) made at `now`, for an endpoint failing since `failing_since` (None: it was not)."""
    outcome = classify(answer.status)
    if outcome is Outcome.DELIVERED:
        return Verdict(DeliveryStatus.DELIVERED, None, None)
    since = failing_since or now
    if outcome is Outcome.DISABLE_ENDPOINT:
        return Verdict(DeliveryStatus.FAILED, None, since, "the endpoint answered 410 Gone")
    if endpoint_failing_too_long(since, now):
        days = DISABLE_AFTER.days
        reason = f"every attempt failed for {days} days, since {since.isoformat()}"
        return Verdict(DeliveryStatus.FAILED, None, since, reason)
    retry_at = next_attempt_at(attempt, now, answer.retry_after, rng)
    if retry_at is None:
        return Verdict(DeliveryStatus.FAILED, None, since)
    return Verdict(DeliveryStatus.PENDING, retry_at, since)
