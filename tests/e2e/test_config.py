"""Agent settings from the dashboard; API keys never leave sealed or encrypted."""

import asyncio
import random
import uuid

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer

from hostplane.contracts.identity import user_id_for
from hostplane.contracts.topics import ALL_TOPICS
from tests.conftest import ROOT
from tests.e2e.conftest import Stack
from tests.e2e.test_instance_lifecycle import order, wait_for_status
from tests.e2e.whmcs import Dashboard, Whmcs, token


@pytest.fixture(scope="module")
def owned(stack: Stack) -> dict:
    client_id = random.randint(1, 10**9)
    created = Whmcs(stack.gateway_url).create(**order(whmcs_client_id=client_id)).json()
    wait_for_status(stack, created["id"], "active")
    owner = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(client_id))))
    return {"id": created["id"], "owner": owner}


def configure(owned: dict, body: dict):
    return owned["owner"].request("POST", f"/api/instances/{owned['id']}/config", body)


async def everything_on_kafka(stack: Stack) -> bytes:
    """Every message on the stack's topics so far: up to each partition's end as it is now
    (telemetry keeps arriving, so "until quiet" would never come)."""
    partitions = stack.partitions(ALL_TOPICS)
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap_servers)
    await consumer.start()
    seen = b""
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        pending = {tp for tp, end in ends.items() if end > 0}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    seen += (record.value or b"") + b"".join(v for _, v in record.headers)
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return seen


def test_keys_change_restart_and_never_show(stack: Stack, owned: dict) -> None:
    anthropic, bot_token = f"sk-ant-{uuid.uuid4().hex}", f"tg-{uuid.uuid4().hex}"
    first = configure(
        owned,
        {
            "agent": {"model": "anthropic/claude-sonnet-4-5-20250929"},
            "api_keys": {"anthropic": anthropic},
            "channels": {"telegram": {"enabled": True, "bot_token": bot_token}},
        },
    )
    assert first.status_code == 200, first.text
    assert first.json() == {"id": owned["id"], "config_updated": True, "restart_required": True}

    same = configure(owned, {"api_keys": {"anthropic": anthropic}})
    assert same.json()["restart_required"] is False
    model_only = configure(owned, {"agent": {"model": "openai/gpt-5"}})
    assert model_only.json()["restart_required"] is False

    shown = owned["owner"].get(owned["id"]).text
    assert anthropic not in shown
    assert bot_token not in shown
    on_kafka = asyncio.run(everything_on_kafka(stack))
    assert anthropic.encode() not in on_kafka
    assert bot_token.encode() not in on_kafka
    logs = b"".join(p.read_bytes() for p in (ROOT / ".local/logs/e2e").glob("*.log"))
    assert anthropic.encode() not in logs
    with psycopg.connect(stack.database_url) as conn:
        stored = conn.execute("SELECT state FROM provisioning.provisioning_events").fetchall()
    assert stored
    assert not any(anthropic.encode() in bytes(state) for (state,) in stored)


@pytest.mark.parametrize(
    "body",
    [
        {"agent": {"model": ""}},
        {"api_keys": {"mistral": "x"}},
        {"channels": {"telegram": {"bot_token": "x"}}},
        {"theme": "dark"},
    ],
)
def test_bad_settings_are_400(owned: dict, body: dict) -> None:
    response = configure(owned, body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_another_customer_cannot_configure(stack: Stack, owned: dict) -> None:
    stranger = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(7))))
    response = stranger.request(
        "POST", f"/api/instances/{owned['id']}/config", {"agent": {"model": "x"}}
    )
    assert response.status_code == 404
