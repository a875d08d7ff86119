"""What an attempt's answer does to its delivery and its endpoint."""

import random
from datetime import UTC, datetime, timedelta

from hostplane.webhooks.domain.retries import MAX_ATTEMPTS
from hostplane.webhooks.domain.verdicts import Answer, DeliveryStatus, judge

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
RNG = random.Random(7)


def test_a_2xx_delivers_and_ends_the_endpoints_failing_streak() -> None:
    verdict = judge(Answer(204), 3, NOW, NOW - timedelta(hours=1), RNG)
    assert verdict.status is DeliveryStatus.DELIVERED
    assert verdict.failing_since is None and verdict.disabled_reason is None


def test_a_first_failure_starts_the_streak_and_retries_on_the_schedule() -> None:
    verdict = judge(Answer(500), 1, NOW, None, RNG)
    assert verdict.status is DeliveryStatus.PENDING
    assert verdict.failing_since == NOW
    assert verdict.next_attempt_at is not None
    assert NOW + timedelta(seconds=4) <= verdict.next_attempt_at <= NOW + timedelta(seconds=5)


def test_retry_after_is_honoured_when_longer_than_the_schedule() -> None:
    verdict = judge(Answer(429, "3600"), 1, NOW, None, RNG)
    assert verdict.next_attempt_at == NOW + timedelta(hours=1)


def test_410_disables_the_endpoint() -> None:
    verdict = judge(Answer(410), 1, NOW, None, RNG)
    assert verdict.status is DeliveryStatus.FAILED
    assert verdict.disabled_reason == "the endpoint answered 410 Gone"


def test_the_last_attempt_fails_the_delivery_without_disabling() -> None:
    verdict = judge(Answer(None), MAX_ATTEMPTS, NOW, NOW - timedelta(days=1), RNG)
    assert verdict.status is DeliveryStatus.FAILED
    assert verdict.disabled_reason is None


def test_an_endpoint_failing_for_five_days_is_disabled() -> None:
    since = NOW - timedelta(days=5)
    verdict = judge(Answer(502), 2, NOW, since, RNG)
    assert verdict.status is DeliveryStatus.FAILED
    assert verdict.failing_since == since
    assert verdict.disabled_reason is not None and "5 days" in verdict.disabled_reason
