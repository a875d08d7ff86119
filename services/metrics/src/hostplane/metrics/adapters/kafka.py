"""Event topics as the projections read them: a record's event, and a topic's whole history."""

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from hostplane.contracts import envelope
from hostplane.contracts.topics import Topic
from hostplane.messaging.cloudevents import header, incoming_event
from hostplane.messaging.kafka import record_position
from hostplane.messaging.observability import consuming
from hostplane.messaging.settings import InfraSettings
from hostplane.metrics.application import Delivered


def delivered(record: Any) -> Delivered:
    """A consumed record's event, where it sits and its aggregate's version."""
    with consuming(record):
        event = incoming_event(record)
    version = int(header(record.headers, envelope.CE_SEQUENCE) or 0)
    return Delivered(record_position(record), event, version)


async def event_history(
    settings: InfraSettings, topics: Iterable[Topic]
) -> AsyncIterator[Sequence[Delivered]]:
    """Every event of `topics` from the beginning up to each partition's end at the start, a
    partition's batch at a time, each partition's in order."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(settings.topic(topic), p)
            for topic in topics
            for p in range(topic.partitions)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp, end in ends.items() if end > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batch.items():
                yield [delivered(record) for record in records]
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
