"""Retries of a failed delivery, what answers mean, and when an endpoint is given up on."""

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from hostplane.webhooks.domain.retries import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    Outcome,
    classify,
    endpoint_failing_too_long,
    next_attempt_at,
)

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def wait(attempt: int, seed: int = 1, retry_after: str | None = None) -> timedelta:
    at = next_attempt_at(attempt, NOW, retry_after, random.Random(seed))
    assert at is not None
    return at - NOW


def test_the_retries_grow_from_seconds_to_a_day() -> None:
    assert RETRY_DELAYS[0] == timedelta(seconds=5)
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert max(RETRY_DELAYS) == timedelta(days=1)


def test_every_delivery_is_retried_for_more_than_three_days_whatever_the_jitter() -> None:
    for seed in range(50):
        rng = random.Random(seed)
        at = NOW
        for attempt in range(1, MAX_ATTEMPTS):
            following = next_attempt_at(attempt, at, None, rng)
            assert following is not None
            at = following
        assert at - NOW > timedelta(days=3), seed
        assert at - NOW <= sum(RETRY_DELAYS, timedelta())


def test_each_wait_falls_between_80_and_100_percent_of_its_step() -> None:
    for attempt, delay in enumerate(RETRY_DELAYS, start=1):
        waits = [wait(attempt, seed) for seed in range(200)]
        assert all(delay * 0.8 <= each <= delay for each in waits), attempt
        assert len(set(waits)) > 100, "deliveries that failed together spread out"


def test_the_same_seed_gives_the_same_wait() -> None:
    assert wait(4, seed=7) == wait(4, seed=7)
    assert wait(4, seed=7) != wait(4, seed=8)


def test_after_the_last_attempt_there_is_no_next() -> None:
    assert len(RETRY_DELAYS) == MAX_ATTEMPTS - 1
    assert next_attempt_at(MAX_ATTEMPTS - 1, NOW, None, random.Random(1)) is not None
    assert next_attempt_at(MAX_ATTEMPTS, NOW, None, random.Random(1)) is None
    assert next_attempt_at(MAX_ATTEMPTS + 5, NOW, "60", random.Random(1)) is None


def test_attempts_are_counted_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        next_attempt_at(0, NOW, None, random.Random(1))


def test_a_longer_retry_after_in_seconds_is_honoured() -> None:
    assert wait(1, retry_after="120") == timedelta(seconds=120)


def test_a_longer_retry_after_as_an_http_date_is_honoured() -> None:
    header = format_datetime(NOW + timedelta(hours=2), usegmt=True)

    assert wait(3, retry_after=header) == timedelta(hours=2)


def test_a_retry_after_shorter_than_the_schedule_changes_nothing() -> None:
    assert wait(6, seed=3, retry_after="10") == wait(6, seed=3)
    assert wait(6, seed=3, retry_after="0") == wait(6, seed=3)


@pytest.mark.parametrize("header", ["604800", "9" * 5000, "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_a_retry_after_is_capped_at_a_day(header: str) -> None:
    assert wait(1, retry_after=header) == timedelta(days=1)


@pytest.mark.parametrize(
    "header", ["", "   ", "soon", "-30", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "٣٠"]
)
def test_an_unreadable_or_past_retry_after_is_ignored(header: str) -> None:
    assert wait(2, seed=5, retry_after=header) == wait(2, seed=5)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_a_2xx_answer_delivers(status: int) -> None:
    assert classify(status) is Outcome.DELIVERED


def test_410_gone_disables_the_endpoint() -> None:
    assert classify(410) is Outcome.DISABLE_ENDPOINT


@pytest.mark.parametrize("status", [None, 301, 302, 400, 401, 403, 404, 408, 429, 500, 502, 503])
def test_other_answers_and_no_answer_are_retried(status: int | None) -> None:
    assert classify(status) is Outcome.RETRY


def test_an_endpoint_failing_for_five_days_is_disabled() -> None:
    first_failure = NOW - timedelta(days=5)

    assert endpoint_failing_too_long(first_failure, NOW)
    assert endpoint_failing_too_long(first_failure, NOW + timedelta(hours=1))
    assert not endpoint_failing_too_long(first_failure, NOW - timedelta(seconds=1))
    assert not endpoint_failing_too_long(NOW, NOW)
