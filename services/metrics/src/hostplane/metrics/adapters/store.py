"""The `views` schema: read tables plus the Kafka positions they reflect, in one transaction."""

from collections.abc import Callable
from importlib.resources import files
from typing import Any

from psycopg import Cursor
from psycopg_pool import ConnectionPool

from hostplane.contracts.events import EventPayload
from hostplane.messaging.eventstore import Position
from hostplane.metrics.projections import project


class ViewStore:
    def __init__(self, database_url: str, pool_size: int = 4) -> None:
        self._pool = ConnectionPool(database_url, min_size=1, max_size=pool_size, open=True)

    def create_schema(self) -> None:
        """Create the read tables if missing (the DDL is idempotent)."""
        ddl = files("hostplane.metrics").joinpath("schema.sql").read_text()
        with self._pool.connection() as conn:
            conn.execute(ddl)

    def next_offset(self, topic: str, partition: int) -> int | None:
        """Where a partition's projection resumes."""
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT next_offset FROM views.tracking WHERE stream = %s",
                (f"{topic}:{partition}",),
            ).fetchone()
        return int(row[0]) if row else None

    def apply_once(self, position: Position, event: EventPayload | None, sequence: int) -> bool:
        """Project one event unless its position was projected before; True if applied."""
        return self.write_once(
            position, lambda cur: project(cur, event, sequence) if event else None
        )

    def write_once(self, position: Position, write: Callable[[Cursor[Any]], None]) -> bool:
        """Run `write` unless the position was stored before, in one transaction with it."""
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute(
                """
                INSERT INTO views.tracking (stream, next_offset) VALUES (%(stream)s, %(next)s)
                ON CONFLICT (stream) DO UPDATE SET next_offset = EXCLUDED.next_offset
                WHERE views.tracking.next_offset < EXCLUDED.next_offset
                RETURNING next_offset
                """,
                {"stream": position.stream, "next": position.tracking.notification_id},
            )
            if cur.fetchone() is None:
                return False
            write(cur)
            return True

    def close(self) -> None:
        self._pool.close()
