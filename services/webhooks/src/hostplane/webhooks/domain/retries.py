"""When a failed delivery is tried again, what an endpoint's answer means, and when an endpoint
has failed for so long that it is disabled.

A delivery is tried once and then retried after each wait of `RETRY_DELAYS`: they grow from
seconds to a day, so a receiver that is down for a moment hears soon and one down for days
still hears, over about four days in all. Each wait is jittered: drawn uniformly from its
upper part (`JITTER`), so deliveries that failed together do not return together, yet the
retries always span more than three days. A `Retry-After` the receiver asks for is honoured
when it is longer than the wait, up to a day.
"""

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
    timedelta(hours=24),
    timedelta(hours=24),
)
"""The wait before each retry, the first retry's first."""

MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)
# A wait is drawn from [(1 - JITTER) * delay, delay]: at least 80 % of the schedule's.
JITTER = 0.2
RETRY_AFTER_CAP = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=5)


class Outcome(StrEnum):
    """What an attempt's answer means for the delivery and its endpoint."""

    DELIVERED = "delivered"
    RETRY = "retry"
    DISABLE_ENDPOINT = "disable_endpoint"


def classify(status: int | None) -> Outcome:
    """The outcome of an attempt: `status` is the HTTP answer's, None when there was none
    (a timeout, a refused or broken connection, a TLS failure).

    Only 2xx delivers. 410 Gone says the endpoint is gone for good. Everything else is
    retried: 429 and 5xx are transient, and other 4xx (and 3xx, which are not followed) are
    most often a receiver's misconfiguration that its owner fixes while retries go on.
    """
    if status is not None and 200 <= status < 300:
        return Outcome.DELIVERED
    if status == 410:
        return Outcome.DISABLE_ENDPOINT
    return Outcome.RETRY


def next_attempt_at(
    attempt: int, now: datetime, retry_after_header: str | None, rng: random.Random
) -> datetime | None:
    """When to try again after attempt number `attempt` (the first is 1) failed at `now`;
    None when that was the last attempt."""
    if attempt < 1:
        raise ValueError("attempts are counted from 1")
    if attempt >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[attempt - 1]
    wait = delay * rng.uniform(1 - JITTER, 1)
    asked = retry_after(retry_after_header, now)
    return now + max(wait, asked) if asked else now + wait


def retry_after(header: str | None, now: datetime) -> timedelta | None:
    """The wait a `Retry-After` header asks for (seconds, or an HTTP date), at most a day;
    None when it is absent, unreadable or already past."""
    text = (header or "").strip()
    if text.isascii() and text.isdigit():
        digits = text.lstrip("0")
        if len(digits) > len(str(int(RETRY_AFTER_CAP.total_seconds()))):
            return RETRY_AFTER_CAP
        return min(timedelta(seconds=int(digits)), RETRY_AFTER_CAP) if digits else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is in GMT
        when = when.replace(tzinfo=UTC)
    return min(when - now, RETRY_AFTER_CAP) if when > now else None


def endpoint_failing_too_long(first_failure_at: datetime, now: datetime) -> bool:
    """Whether an endpoint that has failed every attempt since `first_failure_at` is disabled."""
    return now - first_failure_at >= DISABLE_AFTER
