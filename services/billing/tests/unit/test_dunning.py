"""The dunning schedule: retries, overdue, suspend, terminate — each once, in order."""

from datetime import UTC, datetime, timedelta

import pytest

from hostplane.billing.domain.dunning import (
    DunningSchedule,
    DunningScheduleError,
    due_steps,
    next_step_at,
    steps,
)

DUE = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
DEFAULT = DunningSchedule()


def day(n: float) -> datetime:
    return DUE + timedelta(days=n)


def test_the_default_schedule_in_time_order_retries_before_overdue_and_suspend() -> None:
    assert steps(DEFAULT, DUE) == [
        (day(1), "retry:1"),
        (day(1), "overdue"),
        (day(3), "retry:2"),
        (day(7), "retry:3"),
        (day(7), "suspend"),
        (day(30), "terminate"),
    ]


def test_ties_run_overdue_before_suspend() -> None:
    schedule = DunningSchedule(
        retry_days=(2,), overdue_after_days=2, suspend_after_days=2, terminate_after_days=3
    )

    assert [name for _, name in steps(schedule, DUE)] == [
        "retry:1",
        "overdue",
        "suspend",
        "terminate",
    ]


def test_nothing_is_due_before_the_first_step() -> None:
    assert due_steps(DEFAULT, DUE, day(1) - timedelta(seconds=1), done=()) == []
    assert next_step_at(DEFAULT, DUE, done=()) == day(1)


def test_steps_come_due_as_the_clock_moves() -> None:
    assert due_steps(DEFAULT, DUE, day(1), done=()) == ["retry:1", "overdue"]
    assert due_steps(DEFAULT, DUE, day(3), done={"retry:1", "overdue"}) == ["retry:2"]
    assert next_step_at(DEFAULT, DUE, done={"retry:1", "overdue", "retry:2"}) == day(7)


def test_a_clock_moved_far_ahead_runs_every_missed_step_once_in_order() -> None:
    assert due_steps(DEFAULT, DUE, day(45), done={"retry:1"}) == [
        "overdue",
        "retry:2",
        "retry:3",
        "suspend",
        "terminate",
    ]


def test_a_clock_moved_back_makes_nothing_due_again() -> None:
    done = {"retry:1", "overdue", "retry:2"}

    assert due_steps(DEFAULT, DUE, day(2), done=done) == []
    assert due_steps(DEFAULT, DUE, day(0), done=done) == []


def test_a_moved_due_date_moves_every_step() -> None:
    later = DUE + timedelta(days=5, hours=3)

    assert due_steps(DEFAULT, later, day(6), done=()) == []
    assert due_steps(
        DEFAULT,
        later,
        day(
            6,
        )
        + timedelta(hours=3),
        done=(),
    ) == ["retry:1", "overdue"]


def test_once_every_step_is_done_there_is_no_next_step() -> None:
    done = [name for _, name in steps(DEFAULT, DUE)]

    assert next_step_at(DEFAULT, DUE, done) is None
    assert due_steps(DEFAULT, DUE, day(100), done) == []


def test_a_step_left_behind_is_the_next_one_even_when_past() -> None:
    assert next_step_at(DEFAULT, DUE, done={"retry:1", "retry:2"}) == day(1)


def test_a_schedule_without_retries_still_suspends_and_terminates() -> None:
    schedule = DunningSchedule(retry_days=())

    assert [name for _, name in steps(schedule, DUE)] == ["overdue", "suspend", "terminate"]


def test_the_schedule_parses_from_the_settings_json() -> None:
    text = '{"retry_days":[1,3,7],"overdue_after_days":1,"suspend_after_days":7,"terminate_after_days":30}'

    assert DunningSchedule.parse(text) == DEFAULT
    assert DunningSchedule.parse(
        '{"retry_days": [2], "suspend_after_days": 10}'
    ) == DunningSchedule(retry_days=(2,), suspend_after_days=10)
    assert DunningSchedule.parse("{}") == DEFAULT


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 3]", "object"),
        ('{"retry_days": 3}', "list"),
        ('{"retry_days": [1, -3]}', "negative"),
        ('{"overdue_after_days": -1}', "negative"),
        ('{"retry_days": [3, 1]}', "increasing"),
        ('{"retry_days": [1, 1]}', "increasing"),
        ('{"suspend_after_days": 30, "terminate_after_days": 30}', "before terminate"),
        ('{"suspend_after_days": 40}', "before terminate"),
        ('{"overdue_after_days": 8}', "no later than suspend"),
        ('{"retry_days": [1, 30]}', "before termination"),
        ('{"retry_days": [1.5]}', "whole numbers"),
        ('{"suspend_after_days": true}', "whole numbers"),
        ('{"suspend_after_days": "7"}', "whole numbers"),
        ('{"retries": [1]}', "unknown"),
    ],
)
def test_a_schedule_that_cannot_be_followed_is_refused(text: str, reason: str) -> None:
    with pytest.raises(DunningScheduleError, match=reason):
        DunningSchedule.parse(text)


def test_a_schedule_built_in_code_is_checked_too() -> None:
    with pytest.raises(ValueError, match="before terminate"):
        DunningSchedule(suspend_after_days=31)
