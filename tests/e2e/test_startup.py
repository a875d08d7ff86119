"""A gateway that starts before the metrics service has created the read models."""

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from hostplane.contracts.topics import PROVISIONING_COMMANDS
from tests.conftest import Infra, wait_until
from tests.e2e.conftest import Stack, answers, free_port
from tests.e2e.test_instance_lifecycle import order
from tests.e2e.whmcs import Dashboard, Whmcs, token
from tests.stack import _drop_database, _fresh_database


@pytest.fixture
def early_gateway(stack: Stack, infra: Infra) -> Iterator[tuple[str, str]]:
    """A gateway on an empty database (no read models yet) and topics of its own."""
    database = f"hostplane_early_{uuid.uuid4().hex[:8]}"
    prefix = f"early-{uuid.uuid4().hex[:8]}."
    port = free_port()
    stack.processes.start(
        "gateway-early",
        module="gateway",
        env={
            "GATEWAY_PORT": str(port),
            "DATABASE_URL": _fresh_database(infra.database_url, database),
            "TOPIC_PREFIX": prefix,
        },
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{url}/api/health"), 30, what="the early gateway")
        yield url, prefix
    finally:
        stack.processes.kill("gateway-early")
        _drop_database(infra.database_url, database)


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
