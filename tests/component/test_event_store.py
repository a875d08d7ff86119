"""Events and consumed positions in one PostgreSQL transaction; the outbox relay to Kafka."""

import asyncio
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer

from hostplane.contracts.topics import JOB_EVENTS
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import ensure_topics, make_producer
from hostplane.messaging.outbox import OutboxRelay
from tests.component.counters import Counter, Counters, as_job_event
from tests.conftest import Infra


def test_a_position_is_stored_with_the_events_it_caused(app: Counters) -> None:
    counter = Counter()
    position = Position("commands", 2, 41)
    counter.increment()
    app.save_tracked(counter, position=position)
    assert app.has_processed(position)
    assert app.next_offset("commands", 2) == 42
    assert app.next_offset("commands", 1) is None
    assert app.repository.get(counter.id).count == 1


def test_a_position_without_new_events_is_still_recorded(app: Counters) -> None:
    app.save_tracked(position=Position("commands", 0, 7))
    assert app.has_processed(Position("commands", 0, 7))
    assert not app.has_processed(Position("commands", 0, 8))


def test_a_stale_position_cannot_be_stored_twice(app: Counters) -> None:
    counter = Counter()
    app.save_tracked(counter, position=Position("commands", 0, 3))
    counter.increment()
    with pytest.raises(Exception):  # noqa: B017 - the recorder's IntegrityError
        app.save_tracked(counter, position=Position("commands", 0, 3))
    assert app.repository.get(counter.id).count == 0


async def test_the_outbox_relay_publishes_once_with_cloudevents_headers(
    app: Counters, infra: Infra, run_id: str
) -> None:
    prefix = f"component-{run_id}."
    await ensure_topics(infra.kafka_bootstrap_servers, [JOB_EVENTS], prefix)
    counter = Counter()
    counter.increment()
    counter.increment()
    app.save(counter)

    async def relay_until_published(expected: int) -> None:
        producer = make_producer(infra.kafka_bootstrap_servers, client_id="component-relay")
        await producer.start()
        relay = OutboxRelay(app, producer, as_job_event, prefix, idle_poll_s=0.05)
        task = asyncio.create_task(relay.run())
        try:
            async with asyncio.timeout(20):
                while relay.published < expected:  # noqa: ASYNC110 - the relay has no hook
                    await asyncio.sleep(0.02)
        finally:
            task.cancel()
            await producer.stop()

    await relay_until_published(2)
    counter.increment()
    app.save(counter)
    await relay_until_published(1)  # a restarted relay resumes after what it published

    consumer = AIOKafkaConsumer(
        prefix + JOB_EVENTS.name,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        records = []
        async with asyncio.timeout(20):
            while len(records) < 3:
                batch = await consumer.getmany(timeout_ms=300)
                records += [r for rs in batch.values() for r in rs]
        assert not await consumer.getmany(timeout_ms=500)  # nothing doubled
    finally:
        await consumer.stop()
    headers = [dict(r.headers) for r in records]
    assert [h["ce_type"] for h in headers] == [b"job.succeeded"] * 3
    assert [h["ce_sequence"] for h in headers] == [b"2", b"3", b"4"]
    assert [h["ce_id"] for h in headers] == [f"{counter.id}:{v}".encode() for v in (2, 3, 4)]
    assert all(r.key == str(counter.id).encode() for r in records)
    assert all(UUID(h["ce_subject"].decode()) == counter.id for h in headers)
