"""A gateway that starts before the metrics service has created the read models."""

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from hostplane.contracts.topics import PROVISIONING_COMMANDS
from tests.conftest import Infra
from tests.e2e.conftest import Stack, another_gateway
from tests.e2e.test_instance_lifecycle import order
from tests.e2e.whmcs import Dashboard, Whmcs, token
from tests.stack import drop_database, fresh_database


@pytest.fixture
def early_gateway(stack: Stack, infra: Infra) -> Iterator[tuple[str, str]]:
    """A gateway on an empty database (no read models yet) and topics of its own."""
    database = f"hostplane_early_{uuid.uuid4().hex[:8]}"
    prefix = f"early-{uuid.uuid4().hex[:8]}."
    database_url = fresh_database(infra.database_url, database)
    try:
        with another_gateway(
            stack, "gateway-early", DATABASE_URL=database_url, TOPIC_PREFIX=prefix
        ) as url:
            yield url, prefix
    finally:
        drop_database(infra.database_url, database)


async def messages(bootstrap: str, partitions: list[TopicPartition]) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


def test_it_answers_503_to_retry_and_publishes_nothing(
    stack: Stack, early_gateway: tuple[str, str]
) -> None:
    url, prefix = early_gateway
    created = Whmcs(url).create(**order())
    assert created.status_code == 503
    assert created.json()["code"] == "SERVICE_UNAVAILABLE"
    assert created.headers["Retry-After"] == "1"
    read = Dashboard(url, token("admin")).request("GET", f"/api/instances/{uuid.uuid4()}")
    assert read.status_code == 503
    commands = [
        TopicPartition(prefix + PROVISIONING_COMMANDS.name, p)
        for p in range(PROVISIONING_COMMANDS.partitions)
    ]
    assert asyncio.run(messages(stack.kafka_bootstrap_servers, commands)) == 0
    assert httpx.get(f"{url}/api/health").status_code == 200  # its dependencies answer
