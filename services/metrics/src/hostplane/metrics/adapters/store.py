"""The `views` schema: read tables plus the Kafka positions they reflect, in one transaction."""

from collections.abc import Callable, Sequence
from importlib.resources import files
from typing import Any

from psycopg import Cursor, sql
from psycopg_pool import ConnectionPool

from hostplane.messaging.eventstore import Position, until_database_answers
from hostplane.messaging.leadership import lock_key
from hostplane.metrics.adapters.billing_writes import audit_locks
from hostplane.metrics.adapters.telemetry import forget_usage_before
from hostplane.metrics.adapters.writes import write_change
from hostplane.metrics.domain.changes import Change, InstanceAdded

# The read models' DDL, in order: the instances' and jobs', then billing's.
SCHEMA_FILES = (
    "schema.sql",
    "billing_schema.sql",
    "network_schema.sql",
    "backups_schema.sql",
    "tickets_schema.sql",
)

# A write inside a view store's transaction.
Write = Callable[[Cursor[Any]], None]


class ViewStore:
    """The read models in one schema, and the Kafka positions they reflect."""

    def __init__(
        self, database_url: str, schema: str = "views", pool_size: int = 4, replay: bool = False
    ) -> None:
        """`replay`: instances are ranked once, by `rank_instances()`, not as each arrives."""
        self.schema = schema
        self.database_url = database_url
        options = f"-c search_path={schema}" + (" -c hostplane.ranking=deferred" if replay else "")
        self._pool = ConnectionPool(
            database_url,
            min_size=1,
            max_size=pool_size,
            open=True,
            kwargs={"options": options},
            check=ConnectionPool.check_connection,
        )

    @until_database_answers
    def create_schema(self) -> None:
        """Create the schema and its read tables if missing (the DDL is idempotent).

        Replicas starting together take turns: concurrent DDL can still collide.
        """
        here = files("hostplane.metrics.adapters")
        ddl = "\n".join(here.joinpath(name).read_text() for name in SCHEMA_FILES)
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(f"schema:{self.schema}"),))
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
            )
            conn.execute(ddl)

    def next_offset(self, topic: str, partition: int) -> int | None:
        """Where a partition's projection resumes."""
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT next_offset FROM tracking WHERE stream = %s",
                (f"{topic}:{partition}",),
            ).fetchone()
        return int(row[0]) if row else None

    def write_once(self, position: Position, write: Write) -> bool:
        """Run `write` unless the position was stored before, in one transaction with it."""
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            if not _advance(cur, position):
                return False
            write(cur)
            return True

    def write_at(self, position: Position, write: Write) -> None:
        """Run `write` and move the stream past `position`, in one transaction.

        For writes that are idempotent by themselves: a redelivered batch, or part of one,
        runs again and changes nothing.
        """
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            write(cur)
            _advance(cur, position)

    def apply_batch(self, records: Sequence[tuple[Position, Sequence[Change]]]) -> int:
        """Write one partition's records' changes in order, in one transaction.

        Records at or past the partition's tracked position are applied, unless their
        aggregate's version was applied before (an event published twice); the position moves
        to the last of them. Returns how many records changed something. Replays apply
        thousands of events a second this way.
        """
        positions = [position for position, _ in records]
        last = positions[-1]
        subjects = sorted({subject for p in positions for subject, _ in p.versions})
        with (
            self._pool.connection() as conn,
            conn.transaction(),
            conn.cursor() as cur,
            conn.cursor() as applied_cur,
        ):
            every_change = [change for _, changes in records for change in changes]
            locks = audit_locks(cur, self.schema, every_change)
            with conn.pipeline():  # the batch's locks, position and versions in one round trip
                # Locks before the batch locks a row, in one order: ranks, then audit lines.
                if any(isinstance(c, InstanceAdded) for c in every_change):
                    cur.execute("SELECT lock_instance_ranks()")
                for key in locks:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
                cur.execute(
                    "SELECT next_offset FROM tracking WHERE stream = %s FOR UPDATE", (last.stream,)
                )
                applied_cur.execute(
                    "SELECT subject, version FROM applied_versions "
                    "WHERE topic = %s AND subject = ANY(%s) ORDER BY subject FOR UPDATE",
                    (last.topic, subjects),
                )
            row = cur.fetchone()
            resume = int(row[0]) if row else 0
            versions = {subject: int(version) for subject, version in applied_cur.fetchall()}
            seen = dict(versions)
            applied = 0
            with conn.pipeline():  # one round trip for the batch, not one per statement
                for position, changes in records:
                    if position.offset < resume or not _first_seen(position, seen):
                        continue
                    for change in changes:
                        write_change(cur, change)
                    applied += bool(changes)
                _record_versions(cur, last.topic, seen, versions)
            _advance(cur, last)
        return applied

    def rank_instances(self) -> None:
        """Rank every instance (after a replay)."""
        with self._pool.connection() as conn:
            conn.execute("SELECT rank_instances()")

    def forget_usage_before(self, days: float) -> int:
        """Delete usage samples older than `days`; returns how many."""
        with self._pool.connection() as conn, conn.cursor() as cur:
            return forget_usage_before(cur, days)

    def close(self) -> None:
        self._pool.close()


def _first_seen(position: Position, seen: dict[str, int]) -> bool:
    """Whether the record's event is newer than what was applied; notes it as applied."""
    fresh = True
    for subject, version in position.versions:
        fresh = fresh and (subject not in seen or version > seen[subject])
        seen[subject] = max(version, seen.get(subject, version))
    return fresh


def _record_versions(
    cur: Cursor[Any], topic: str, seen: dict[str, int], before: dict[str, int]
) -> None:
    changed = [(topic, s, v) for s, v in seen.items() if before.get(s) != v]
    if changed:
        cur.executemany(
            "INSERT INTO applied_versions (topic, subject, version) VALUES (%s, %s, %s) "
            "ON CONFLICT (topic, subject) DO UPDATE SET version = EXCLUDED.version",
            changed,
        )


def _advance(cur: Cursor[Any], position: Position) -> bool:
    """Move the stream's tracked position past `position`; False if it already was."""
    cur.execute(
        """
        INSERT INTO tracking (stream, next_offset) VALUES (%(stream)s, %(next)s)
        ON CONFLICT (stream) DO UPDATE SET next_offset = EXCLUDED.next_offset
        WHERE tracking.next_offset < EXCLUDED.next_offset
        RETURNING next_offset
        """,
        {"stream": position.stream, "next": position.tracking.notification_id},
    )
    return cur.fetchone() is not None
