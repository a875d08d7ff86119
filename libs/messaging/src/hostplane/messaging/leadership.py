"""One leader among a service's replicas: a PostgreSQL advisory lock held on a connection of
its own.

PostgreSQL releases a session's advisory locks when the session ends, so a leader that is
killed, or whose connection breaks, stops leading at once: the kernel closes a dead process's
socket, and TCP keepalives on both ends bound how long a silent network drop goes unnoticed.
The leader watches its own connection (a round trip a second when nothing else arrives) and
stands down the moment it breaks; the others try for the lock twice a second, so a takeover
takes well under five seconds.

The lock decides who should act, not who did: work whose effect must not double is fenced
again where it is recorded (the outbox relay's single-row tracking refuses a position that
another relay has already passed).

The same connection can LISTEN on a channel: the outbox relay's leader hears every replica's
new events there (the event store sends a NOTIFY with each insert), not only its own.
"""

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
from collections.abc import Callable
from typing import Any

import prometheus_client
import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

LEADING = prometheus_client.Gauge(
    "hostplane_leader", "1 while this process leads the named work, else 0", ["work"]
)

# Client side: a silent peer is given up after about 2 + 2 * 1 seconds. Server side the same,
# so PostgreSQL releases the lock of a leader that vanished from the network within 5 s.
KEEPALIVES: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 2,
    "keepalives_interval": 1,
    "keepalives_count": 2,
    "connect_timeout": 5,
    "options": "-c tcp_keepalives_idle=2 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=2",
}


def lock_key(name: str) -> int:
    """The advisory lock's 64-bit key for a name (stable across processes and versions)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def holder_name(work: str) -> str:
    """How a leader's connection names itself in `pg_stat_activity`: work, host and pid."""
    return f"{work}@{socket.gethostname()}:{os.getpid()}"[:63]


class Leadership:
    """Campaign for, hold, and watch one named lead."""

    def __init__(
        self,
        database_url: str,
        work: str,
        *,
        listen: str | None = None,
        on_notify: Callable[[], None] = lambda: None,
        retry_s: float = 0.5,
        heartbeat_s: float = 1.0,
    ) -> None:
        self.work = work
        self._url = database_url
        self._key = lock_key(work)
        self._channel = listen
        self._on_notify = on_notify
        self._retry_s = retry_s
        self._heartbeat_s = heartbeat_s
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._lost.set()
        LEADING.labels(work).set(0)

    @property
    def leading(self) -> bool:
        """Whether this process holds the lock, as far as its connection tells."""
        return not self._lost.is_set()

    async def lead(self) -> None:
        """Return once this process leads; until then stand by, trying twice a second."""
        announced = False
        while not await self._try_lock():
            if not announced:
                log.info("%s: standing by; another replica leads", self.work)
                announced = True
            await asyncio.sleep(self._retry_s)
        self._lost.clear()
        self._watch = asyncio.create_task(self._watch_connection(), name=f"{self.work}-lease")
        LEADING.labels(self.work).set(1)
        log.info("%s: leading", self.work)

    async def lost(self) -> None:
        """Wait until this process stops leading."""
        await self._lost.wait()

    async def step_down(self) -> None:
        """Stop leading: the lock is released with the connection holding it."""
        was_leading = self.leading
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        await self._close()
        if was_leading:
            log.info("%s: stepped down", self.work)
        self._lost.set()
        LEADING.labels(self.work).set(0)

    async def _try_lock(self) -> bool:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(
                    self._url,
                    autocommit=True,
                    application_name=holder_name(self.work),
                    **KEEPALIVES,
                )
            cursor = await self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,))
            row = await cursor.fetchone()
            if not (row and row[0]):
                return False
            if self._channel:
                await self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            return True
        except psycopg.Error as error:
            log.warning("%s: cannot reach the database to campaign: %s", self.work, error)
            await self._close()
            return False

    async def _watch_connection(self) -> None:
        """Pass on notifications; a round trip when quiet; give up the lead if it breaks."""
        conn = self._conn
        assert conn is not None
        try:
            while True:
                async for _ in conn.notifies(timeout=self._heartbeat_s):
                    self._on_notify()
                await conn.execute("SELECT 1")
        except psycopg.Error as error:
            log.warning("%s: lost the connection holding the lead: %s", self.work, error)
        finally:
            self._lost.set()
            LEADING.labels(self.work).set(0)
            self._on_notify()  # whoever waits for news learns of the loss at once

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            with contextlib.suppress(psycopg.Error):
                await conn.close()


def holder(database_url: str, work: str) -> str | None:
    """Who leads `work` in this database now (`work@host:pid`, as its connection names
    itself), if anyone. Advisory locks belong to a database: other deployments sharing the
    cluster campaign apart."""
    key = lock_key(work) & 0xFFFF_FFFF_FFFF_FFFF
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            """
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid
            """,
            (key >> 32, key & 0xFFFF_FFFF),
        ).fetchone()
    return str(row[0]) if row else None
