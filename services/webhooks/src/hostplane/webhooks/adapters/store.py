"""The `webhooks` schema: endpoints, deliveries and attempts, with the Kafka positions whose
effects they are, in one transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import Any

from psycopg import Cursor, sql
from psycopg_pool import ConnectionPool

from hostplane.messaging.eventstore import Position, until_database_answers
from hostplane.messaging.leadership import lock_key

# The channel every replica's dispatcher listens on: a delivery became due.
DUE_CHANNEL = "webhooks_due"


class WebhookStore:
    """The webhooks schema through a pool of connections."""

    def __init__(self, database_url: str, schema: str = "webhooks", pool_size: int = 8) -> None:
        self.schema = schema
        self.database_url = database_url
        self._pool = ConnectionPool(
            database_url,
            min_size=1,
            max_size=pool_size,
            open=True,
            kwargs={"options": f"-c search_path={schema}"},
            check=ConnectionPool.check_connection,
        )

    @until_database_answers
    def create_schema(self) -> None:
        """Create the schema and its tables if missing; replicas starting together take turns."""
        ddl = files("hostplane.webhooks.adapters").joinpath("schema.sql").read_text()
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(f"schema:{self.schema}"),))
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
            )
            conn.execute(ddl)

    def next_offset(self, topic: str, partition: int) -> int | None:
        """Where a partition's consumption resumes."""
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT next_offset FROM tracking WHERE stream = %s", (f"{topic}:{partition}",)
            ).fetchone()
        return int(row[0]) if row else None

    @contextmanager
    def transaction(self) -> Iterator[Cursor[Any]]:
        """A cursor in a transaction of its own, committed when the block ends."""
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def close(self) -> None:
        self._pool.close()


def resume_offset(cur: Cursor[Any], stream: str) -> int:
    """The stream's next offset to apply, its row locked until the transaction ends, so two
    consumers of one partition (across a rebalance) apply a record once."""
    cur.execute(
        "INSERT INTO tracking (stream, next_offset) VALUES (%s, 0) ON CONFLICT DO NOTHING",
        (stream,),
    )
    cur.execute("SELECT next_offset FROM tracking WHERE stream = %s FOR UPDATE", (stream,))
    row = cur.fetchone()
    return int(row[0]) if row else 0


def advance(cur: Cursor[Any], position: Position) -> None:
    """Move the stream's position past `position`, never back."""
    cur.execute(
        "UPDATE tracking SET next_offset = GREATEST(next_offset, %s) WHERE stream = %s",
        (position.offset + 1, position.stream),
    )


def notify_due(cur: Cursor[Any]) -> None:
    """Wake every replica's dispatcher once the transaction commits."""
    cur.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(DUE_CHANNEL)))
