"""The clock of time-dependent rules (billing's periods and dunning, the webhooks' retries):
they ask it, never `datetime.now`.

In development and tests the clock can be moved: a service's `*_CLOCK_FILE` setting names a
file whose content is an ISO 8601 instant (the time it is) or `+<seconds>` (an offset from
real time). Every replica reading the same file agrees on the time, and a test moves it by
writing the file instead of waiting days. Settings refuse the file outside development.
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FileClock:
    """The time the file says, re-read when the file changes; real time without the file."""

    def __init__(self, path: str) -> None:
        self._path = Path(path)
        self._seen: tuple[int, str] | None = None

    def now(self) -> datetime:
        text = self._read()
        if not text:
            return datetime.now(UTC)
        if text.startswith(("+", "-")):
            return datetime.now(UTC) + timedelta(seconds=float(text))
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return at if at.tzinfo else at.replace(tzinfo=UTC)

    def _read(self) -> str:
        try:
            modified = os.stat(self._path).st_mtime_ns
        except FileNotFoundError:
            return ""
        if self._seen is None or self._seen[0] != modified:
            self._seen = (modified, self._path.read_text().strip())
        return self._seen[1]


class MovableClock:
    """A clock a unit test sets and moves."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def move(self, by: timedelta) -> None:
        self.at += by
