"""200 orders, suspends and deletes while services are killed, the broker and the database
restart, every provider fails one call in five, and a slice of the topics is delivered again.

A quarter of the orders are in Tokyo (Proxmox VE), the rest in Frankfurt (Hetzner), so both
server providers take the faults. Afterwards every instance is where its commands put it, the
providers hold exactly one server and one DNS record per live instance and nothing for the
others, nothing was done twice, and the read models equal a rebuild from the events.
"""

import asyncio
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hostplane.contracts.topics import PROVISIONING_COMMANDS, VPS_EVENTS, Topic
from tests.conftest import Infra, wait_until
from tests.e2e.test_instance_lifecycle import order
from tests.e2e.whmcs import Whmcs
from tests.faults.checks import (
    RETRYABLE,
    assert_settled,
    persistently,
    statuses,
)
from tests.stack import Stack

ORDERS = 200
SUSPENDED, TERMINATED = range(0, 40), range(40, 80)
SERVICES = ("provisioning", "dns", "metrics", "gateway")

# One provider call in five fails: unavailable, throttled or too slow to answer.
PROVIDER_FAULTS = [
    {"path": path, "kind": kind, "probability": probability, **extra}
    for path in ("/hetzner/v1/*", "/proxmox/api2/json/*", "/cloudflare/client/v4/*")
    for kind, probability, extra in (
        ("status", 0.10, {"status": 503}),
        ("rate_limit", 0.06, {"retry_after": 1}),
        ("timeout", 0.05, {"latency_s": 2}),
    )
]


def region_of(n: int) -> str:
    """Every fourth order at Proxmox (Tokyo), the others at Hetzner (Frankfurt)."""
    return "jp-tokyo" if n % 4 == 0 else "eu-frankfurt"


class Chaos(threading.Thread):
    """Works through a shuffled list of faults, one every few seconds, then stops."""

    def __init__(self, stack: Stack, infra: Infra, rng: random.Random, kills: int) -> None:
        super().__init__(daemon=True)
        self.stack, self.infra, self.rng = stack, infra, rng
        self.schedule: list[Callable[[], str]] = [self.kill_a_service] * kills + [self.redeliver]
        if infra.local:
            self.schedule += [self.restart_broker, self.restart_database]
        rng.shuffle(self.schedule)
        self.done: list[str] = []
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            for fault in self.schedule:
                time.sleep(self.rng.uniform(1.0, 3.0))
                self.done.append(fault())
        except BaseException as error:  # surfaced by the test
            self.failure = error

    def finish(self) -> None:
        self.join(timeout=300)
        assert not self.is_alive(), "the chaos schedule did not finish"
        assert self.failure is None, self.failure

    def kill_a_service(self) -> str:
        service = self.rng.choice(SERVICES)
        self.stack.processes.kill(service)
        self.stack.processes.start(service)
        return f"kill -9 {service}"

    def restart_broker(self) -> str:
        self.infra.restart("kafka")
        return "restart kafka"

    def restart_database(self) -> str:
        self.infra.restart("postgres")
        return "restart postgres"

    def redeliver(self) -> str:
        asyncio.run(redeliver(self.stack, self.rng, [VPS_EVENTS, PROVISIONING_COMMANDS]))
        return "redeliver a slice"


async def redeliver(stack: Stack, rng: random.Random, topics: list[Topic]) -> None:
    """Publish a slice of messages again, shuffled: duplicates, out of order."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap_servers)
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap_servers)
    await consumer.start()
    await producer.start()
    try:
        partitions = stack.partitions(topics)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        batch = await consumer.getmany(timeout_ms=1000, max_records=200)
        records = [r for rs in batch.values() for r in rs]
        for record in rng.sample(records, k=min(40, len(records))):
            await producer.send(
                record.topic, value=record.value, key=record.key, headers=list(record.headers)
            )
        await producer.flush()
    finally:
        await producer.stop()
        await consumer.stop()


def expected_status(index: int) -> str:
    if index in SUSPENDED:
        return "suspended"
    return "terminated" if index in TERMINATED else "active"


@pytest.mark.timeout(900)
def test_nothing_is_lost_or_doubled_under_chaos(chaos_stack: Stack, infra: Infra) -> None:
    stack, whmcs = chaos_stack, Whmcs(chaos_stack.gateway_url)
    rng = random.Random(20261123)
    final = lambda r: r.status_code not in RETRYABLE  # noqa: E731
    stack.admin("POST", "/faults", PROVIDER_FAULTS)

    # Orders arrive while services crash and the broker and database restart.
    chaos = Chaos(stack, infra, rng, kills=4)
    chaos.start()
    # A retried order is the same order: same WHMCS service, so the same instance.
    created = [
        persistently(partial(whmcs.create, **order(region=region_of(n))), final)
        for n in range(ORDERS)
    ]
    assert {r.status_code for r in created} <= {200, 201}, [r.text for r in created][:3]
    ids = [r.json()["id"] for r in created]
    chaos.finish()
    stack.processes.revive()
    wait_until(
        lambda: Counter(statuses(stack, ids).values())["active"] == ORDERS,
        420,
        0.5,
        what=f"every order to become active (after {chaos.done})",
    )

    # Then suspends and deletes, under a second round.
    chaos = Chaos(stack, infra, rng, kills=3)
    chaos.start()
    for index in [*SUSPENDED, *TERMINATED]:
        if index in SUSPENDED:
            action = partial(whmcs.request, "POST", f"/api/instances/{ids[index]}/suspend")
        else:
            action = partial(whmcs.request, "DELETE", f"/api/instances/{ids[index]}")
        persistently(action, final)
    chaos.finish()
    stack.admin("DELETE", "/faults")
    stack.processes.revive()

    expected = {instance_id: expected_status(i) for i, instance_id in enumerate(ids)}
    assert_settled(stack, ids, expected)
