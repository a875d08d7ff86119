"""Attachments' bytes, kept apart from the events: one row per content digest.

A file is stored before the event that names it, and storing it again is a no-op (same
digest, same bytes), so a redelivered command or a retried save stores it once. Events carry
only its metadata and digest: the event store stays small, and no file reaches Kafka twice.
"""

from collections.abc import Sequence
from typing import Protocol

import psycopg
from psycopg import sql

from hostplane.contracts.attachments import CheckedAttachment
from hostplane.messaging.eventstore import until_database_answers
from hostplane.messaging.leadership import lock_key


class AttachmentBlobs(Protocol):
    def keep(self, files: Sequence[CheckedAttachment]) -> None: ...

    def read(self, sha256: str) -> bytes | None: ...


class PostgresAttachments:
    """`<schema>.attachments` in PostgreSQL."""

    def __init__(self, database_url: str, schema: str) -> None:
        self._url = database_url
        self._table = sql.Identifier(schema, "attachments")
        self._schema = schema

    @until_database_answers
    def create_table(self) -> None:
        with psycopg.connect(self._url) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(f"schema:{self._schema}"),))
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self._schema))
            )
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (sha256 text PRIMARY KEY, content_type text "
                    "NOT NULL, size integer NOT NULL, data bytea NOT NULL, "
                    "stored_at timestamptz NOT NULL DEFAULT now())"
                ).format(self._table)
            )

    def keep(self, files: Sequence[CheckedAttachment]) -> None:
        if not files:
            return
        with psycopg.connect(self._url) as conn, conn.cursor() as cur:
            cur.executemany(
                sql.SQL(
                    "INSERT INTO {} (sha256, content_type, size, data) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (sha256) DO NOTHING"
                ).format(self._table),
                [(f.sha256, f.content_type, f.size, f.data) for f in files],
            )

    def read(self, sha256: str) -> bytes | None:
        with psycopg.connect(self._url) as conn:
            row = conn.execute(
                sql.SQL("SELECT data FROM {} WHERE sha256 = %s").format(self._table), (sha256,)
            ).fetchone()
        return bytes(row[0]) if row else None


class InMemoryAttachments:
    """Attachments in this process's memory (unit tests)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def keep(self, files: Sequence[CheckedAttachment]) -> None:
        for f in files:
            self.blobs.setdefault(f.sha256, f.data)

    def read(self, sha256: str) -> bytes | None:
        return self.blobs.get(sha256)
