"""Storing what instances report: log lines and priced AI usage."""

from typing import Any

from psycopg import Cursor

from hostplane.contracts.telemetry import SEVERITY, LogBatch, UsageBatch, price


def store_logs(cur: Cursor[Any], batch: LogBatch) -> None:
    """Insert a batch's lines; a batch uploaded twice is stored once."""
    cur.executemany(
        """
        INSERT INTO instance_logs (instance_id, ts, level, severity, source, message,
            batch_id, seq)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (batch_id, seq) DO NOTHING
        """,
        [
            (
                batch.instance_id,
                e.timestamp,
                e.level.value,
                SEVERITY[e.level],
                e.source,
                e.message,
                batch.batch_id,
                seq,
            )
            for seq, e in enumerate(batch.entries)
        ],
    )


def store_usage(cur: Cursor[Any], batch: UsageBatch) -> None:
    """Insert priced usage records; a request reported twice is counted once."""
    cur.executemany(
        """
        INSERT INTO ai_usage (instance_id, request_id, ts, model, tokens_in, tokens_out,
            cost_usd)
        VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (instance_id, request_id) DO NOTHING
        """,
        [
            (
                batch.instance_id,
                r.id,
                r.timestamp,
                r.model,
                r.tokens_in,
                r.tokens_out,
                price(r.model, r.tokens_in, r.tokens_out),
            )
            for r in batch.records
        ],
    )
