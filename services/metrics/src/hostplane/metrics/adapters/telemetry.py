"""Storing what instances and their servers report: log lines, priced AI usage, and
resource usage samples. Each row has a natural key, so a batch stored twice is stored once."""

from typing import Any

from psycopg import Cursor

from hostplane.contracts.telemetry import SEVERITY, LogBatch, ServerUsage, UsageBatch, price


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


def store_ai_usage(cur: Cursor[Any], batch: UsageBatch) -> None:
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


def store_server_usage(cur: Cursor[Any], samples: list[ServerUsage]) -> None:
    """Insert usage samples; a sample delivered again (same instance and time) changes nothing.

    Samples of instances the read models do not know are kept too: usage and instance events
    travel on different topics, so a new server's first samples may come before its instance.
    """
    cur.executemany(
        """
        INSERT INTO usage_samples (instance_id, ts, cpu_percent, disk_bps, net_in_bps,
            net_out_bps, traffic_out_gb, traffic_gb, ram_used_mb)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (instance_id, ts) DO NOTHING
        """,
        [
            (
                s.instance_id,
                s.ts,
                s.cpu_percent,
                s.disk_bps,
                s.net_in_bps,
                s.net_out_bps,
                s.traffic_out_gb,
                s.traffic_gb,
                s.ram_used_mb,
            )
            for s in samples
        ],
    )


def forget_usage_before(cur: Cursor[Any], days: float) -> int:
    """Delete usage samples older than `days`; returns how many."""
    cur.execute(
        "DELETE FROM usage_samples WHERE ts < now() - make_interval(secs => %s)", (days * 86400,)
    )
    return cur.rowcount
