"""Dunning: what happens, and when, after an invoice's due date passes unpaid.

From the due instant, in whole days of elapsed time: the charge is retried on each of
`retry_days` ("retry:1", "retry:2", ...), the invoice turns overdue, the subscription is
suspended, and finally terminated. Steps are named, so the aggregate records which it has
done and a timer that wakes late (or twice) runs each step exactly once, in order.
"""

import itertools
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

OVERDUE, SUSPEND, TERMINATE = "overdue", "suspend", "terminate"

# When steps fall on the same instant: retries first (the customer may pay yet), then the
# invoice is marked overdue, then the service is suspended, then terminated.
_RANK = {OVERDUE: 1, SUSPEND: 2, TERMINATE: 3}


class DunningScheduleError(ValueError):
    """A dunning schedule setting that cannot be followed."""


def retry_step(n: int) -> str:
    """The name of the n-th retry of the charge (1-based)."""
    return f"retry:{n}"


@dataclass(frozen=True)
class DunningSchedule:
    retry_days: tuple[int, ...] = (1, 3, 7)
    overdue_after_days: int = 1
    suspend_after_days: int = 7
    terminate_after_days: int = 30

    def __post_init__(self) -> None:
        days = [*self.retry_days, self.overdue_after_days]
        days += [self.suspend_after_days, self.terminate_after_days]
        if any(isinstance(day, bool) or not isinstance(day, int) for day in days):
            raise DunningScheduleError("dunning days are whole numbers")
        if any(day < 0 for day in days):
            raise DunningScheduleError("dunning days cannot be negative")
        if any(a >= b for a, b in itertools.pairwise(self.retry_days)):
            raise DunningScheduleError("retry_days must be strictly increasing")
        if not self.overdue_after_days <= self.suspend_after_days < self.terminate_after_days:
            raise DunningScheduleError(
                "overdue comes no later than suspend, and suspend before terminate"
            )
        if self.retry_days and self.retry_days[-1] >= self.terminate_after_days:
            raise DunningScheduleError("every retry comes before termination")

    @classmethod
    def parse(cls, text: str) -> "DunningSchedule":
        """The schedule from the settings' JSON; keys left out keep their defaults."""
        try:
            raw: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise DunningScheduleError(f"the dunning schedule is not JSON: {error}") from error
        if not isinstance(raw, Mapping):
            raise DunningScheduleError("the dunning schedule is a JSON object")
        unknown = set(raw) - {each.name for each in fields(cls)}
        if unknown:
            raise DunningScheduleError(f"unknown dunning settings: {', '.join(sorted(unknown))}")
        if "retry_days" in raw:
            if not isinstance(raw["retry_days"], list):
                raise DunningScheduleError("retry_days is a list of days")
            raw = {**raw, "retry_days": tuple(raw["retry_days"])}
        return cls(**raw)


def steps(schedule: DunningSchedule, due_at: datetime) -> list[tuple[datetime, str]]:
    """Every step with its instant, in the order they run."""
    named = [(retry_step(n), days) for n, days in enumerate(schedule.retry_days, start=1)]
    named += [
        (OVERDUE, schedule.overdue_after_days),
        (SUSPEND, schedule.suspend_after_days),
        (TERMINATE, schedule.terminate_after_days),
    ]
    timed = [(due_at + timedelta(days=days), name) for name, days in named]
    return sorted(timed, key=lambda step: (step[0], _RANK.get(step[1], 0)))


def due_steps(
    schedule: DunningSchedule, due_at: datetime, now: datetime, done: Collection[str]
) -> list[str]:
    """The steps whose time has come by `now` and that are not done yet, in order."""
    return [name for at, name in steps(schedule, due_at) if at <= now and name not in done]


def next_step_at(
    schedule: DunningSchedule, due_at: datetime, done: Collection[str]
) -> datetime | None:
    """When the first step not done yet falls (maybe already past); None once all are done."""
    return next((at for at, name in steps(schedule, due_at) if name not in done), None)
