"""The pinned Apache Kafka broker speaks every API aiokafka uses: the proof behind the pin."""

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from hostplane.contracts.topics import Topic
from hostplane.messaging.kafka import ensure_topics, make_producer
from tests.conftest import Infra


async def test_topics_idempotent_produce_and_group_consume(infra: Infra, run_id: str) -> None:
    topic = Topic(f"component-{run_id}", 3)
    await ensure_topics(infra.kafka_bootstrap_servers, [topic])
    await ensure_topics(infra.kafka_bootstrap_servers, [topic])  # creating twice is fine

    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics([topic.name])
        assert len(described[0]["partitions"]) == 3
    finally:
        await admin.close()

    producer = make_producer(infra.kafka_bootstrap_servers, client_id="component")
    await producer.start()
    try:
        for n in range(30):
            await producer.send_and_wait(
                topic.name, str(n).encode(), str(n % 5).encode(), [("ce_type", b"test.event")]
            )
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic.name,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        group_id=f"group-{run_id}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: list[int] = []
    try:
        async with asyncio.timeout(30):
            while len(received) < 30:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    received += [int(r.value) for r in records]
                    assert all(dict(r.headers)["ce_type"] == b"test.event" for r in records)
        await consumer.commit()
        committed = [await consumer.committed(TopicPartition(topic.name, p)) for p in range(3)]
    finally:
        await consumer.stop()
    assert sorted(received) == list(range(30))
    assert sum(c or 0 for c in committed) == 30


async def test_a_producer_session_the_broker_refuses_is_renewed(infra: Infra, run_id: str) -> None:
    topic = Topic(f"component-{run_id}-renewed", 1)
    await ensure_topics(infra.kafka_bootstrap_servers, [topic])
    producer = make_producer(infra.kafka_bootstrap_servers, client_id="component")
    await producer.start()
    try:
        await producer.send_and_wait(topic.name, b"1", b"key", [])
        # What a broker restart that lost a sent batch leaves behind: the producer's next
        # sequence number on the partition is ahead of the broker's, which refuses it.
        session = producer._producer._txn_manager
        session.increment_sequence_number(TopicPartition(topic.name, 0), 3)
        await producer.send_and_wait(topic.name, b"2", b"key", [])
        await producer.send_and_wait(topic.name, b"3", b"key", [])
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic.name, bootstrap_servers=infra.kafka_bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            received: list[bytes] = []
            while len(received) < 3:
                batch = await consumer.getmany(timeout_ms=500)
                received += [r.value for records in batch.values() for r in records]
    finally:
        await consumer.stop()
    assert received == [b"1", b"2", b"3"]  # each once, in order
