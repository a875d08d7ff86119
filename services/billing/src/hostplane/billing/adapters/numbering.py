"""Turns at the number series, across every billing replica.

An invoice or credit-note number is the next of its series (tenant and year), one aggregate
every numbering command changes. Replicas that numbered at once would keep losing the race
to each other's save and start over; they take turns instead, under a PostgreSQL advisory
lock held on a connection of its own from reading the series until the save. Within a
process, a thread lock goes first, so the process needs one such connection. A lost
connection is made again; PostgreSQL released its lock with it.
"""

import logging
import threading
from types import TracebackType

import psycopg

from hostplane.messaging.leadership import KEEPALIVES, lock_key

log = logging.getLogger(__name__)


class NumberingTurns:
    """`with turns:` around a command that may take a number; without a database (in
    memory), only this process's threads take turns."""

    def __init__(self, database_url: str | None, schema: str = "billing") -> None:
        self._url = database_url
        self._key = lock_key(f"numbering:{schema}")
        self._threads = threading.Lock()
        self._connection: psycopg.Connection | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._url is not None:
                self._locked("SELECT pg_advisory_lock(%s)")
        except BaseException:
            self._threads.release()
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._url is not None and self._connection is not None:
                self._connection.execute("SELECT pg_advisory_unlock(%s)", (self._key,))
        except psycopg.Error as lost:
            # The session is gone, and its lock with it.
            log.warning("numbering lock's connection lost: %s", lost)
            self._drop()
        finally:
            self._threads.release()

    def close(self) -> None:
        self._drop()

    def _locked(self, statement: str) -> None:
        """Run the locking statement, on a new connection if the last one was lost."""
        for attempt in (1, 2):
            try:
                if self._connection is None or self._connection.closed:
                    assert self._url is not None
                    self._connection = psycopg.connect(self._url, autocommit=True, **KEEPALIVES)
                self._connection.execute(statement, (self._key,))
                return
            except psycopg.OperationalError:
                self._drop()
                if attempt == 2:
                    raise

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
