"""`python -m hostplane.metrics.rebuild SCHEMA`: replay every event topic into an empty schema.

Read models are disposable: this builds them again from the events on Kafka, to compare with
the live ones (`--compare views`) or to replace them. It reads each partition up to its end
at the start of the run, through the same projections the service uses.
"""

import argparse
import asyncio
import sys

import psycopg
from aiokafka import AIOKafkaConsumer, TopicPartition
from psycopg import sql

from hostplane.contracts.topics import DNS_EVENTS, JOB_EVENTS, USER_EVENTS, VPS_EVENTS, Topic
from hostplane.metrics.adapters.store import ViewStore
from hostplane.metrics.entrypoints.consumers import project_records
from hostplane.metrics.settings import Settings

EVENT_TOPICS: tuple[Topic, ...] = (VPS_EVENTS, DNS_EVENTS, JOB_EVENTS, USER_EVENTS)

# Tables derived from events alone (usage samples and uploaded logs come from elsewhere).
EVENT_TABLES = {
    "instances": "id",
    "jobs": "id",
    "dns_records": "instance_id",
    "users": "id",
    "instance_counts": "status",  # kept by triggers: equal when the rows they count are
}


async def rebuild(settings: Settings, schema: str) -> int:
    """Project every event into `schema` (dropped first); returns how many were applied."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    store = ViewStore(settings.database_url, schema=schema, replay=True)
    store.create_schema()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False
    )
    await consumer.start()
    applied = 0
    try:
        partitions = [
            TopicPartition(settings.topic(topic), p)
            for topic in EVENT_TOPICS
            for p in range(topic.partitions)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp, end in ends.items() if end > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batch.items():
                applied += project_records(store, records)
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        store.rank_instances()
    finally:
        await consumer.stop()
        store.close()
    return applied


def differences(database_url: str, live: str, rebuilt: str) -> list[str]:
    """Rows that differ between two read-model schemas, table by table."""
    found = []
    with psycopg.connect(database_url) as conn:
        for table, key in EVENT_TABLES.items():
            for left, right in ((live, rebuilt), (rebuilt, live)):
                query = sql.SQL(
                    "SELECT {key}::text FROM (SELECT * FROM {l}.{t} EXCEPT SELECT * FROM {r}.{t}) d"
                ).format(
                    key=sql.Identifier(key),
                    l=sql.Identifier(left),
                    r=sql.Identifier(right),
                    t=sql.Identifier(table),
                )
                rows = conn.execute(query).fetchall()
                found += [f"{table} {row[0]}: in {left}, not as such in {right}" for row in rows]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema", help="schema to build the read models in (dropped first)")
    parser.add_argument("--compare", metavar="SCHEMA", help="then list rows that differ")
    args = parser.parse_args()
    settings = Settings()
    applied = asyncio.run(rebuild(settings, args.schema))
    print(f"rebuilt {args.schema} from {applied} events")
    if args.compare:
        diff = differences(settings.database_url, args.compare, args.schema)
        print("\n".join(diff) or f"{args.schema} equals {args.compare}")
        sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
