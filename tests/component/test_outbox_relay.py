"""The outbox relay as replicas: one publishes, another takes over, nothing is published twice."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from eventsourcing.persistence import Tracking

from hostplane.contracts.topics import JOB_EVENTS
from hostplane.messaging.kafka import ensure_topics, make_producer
from hostplane.messaging.leadership import holder
from hostplane.messaging.outbox import OutboxRelay
from tests.component.counters import Counter, Counters, as_job_event
from tests.conftest import ROOT, Infra, wait_until

TAKEOVER_BOUND_S = 5.0

Relays = Callable[[int], dict[int, subprocess.Popen[bytes]]]


async def read_topic(infra: Infra, topic: str, expected: int) -> list[Any]:
    """The topic's records once `expected` arrived, and whatever follows within a second."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=infra.kafka_bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        records: list[Any] = []
        async with asyncio.timeout(30):
            while len(records) < expected:
                batch = await consumer.getmany(timeout_ms=300)
                records += [r for rs in batch.values() for r in rs]
        extra = await consumer.getmany(timeout_ms=1000)
        return records + [r for rs in extra.values() for r in rs]
    finally:
        await consumer.stop()


def ce_ids(records: list[Any]) -> list[str]:
    return [dict(r.headers)["ce_id"].decode() for r in records]


def pid_of(leader: str) -> int:
    """The process id in a leader's name (`work@host:pid`)."""
    return int(leader.rsplit(":", 1)[1])


@pytest.fixture
def relays(infra: Infra, app: Counters, run_id: str) -> Iterator[Relays]:
    """Starts relay processes of one service on the `app` fixture's schema; kills them after."""
    env = {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
    }
    logs = ROOT / ".local" / "logs" / "component"
    logs.mkdir(parents=True, exist_ok=True)
    processes: dict[int, subprocess.Popen[bytes]] = {}

    def start(count: int) -> dict[int, subprocess.Popen[bytes]]:
        for _ in range(count):
            log = (logs / f"relay-{run_id}-{len(processes)}.log").open("ab")
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.component.counters",
                    app.schema,
                    f"component-{run_id}.",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes[process.pid] = process
        return processes

    yield start
    for process in processes.values():
        process.kill()
        process.wait(timeout=10)


async def test_one_relay_of_two_publishes_and_the_other_takes_over_after_a_kill(
    app: Counters, infra: Infra, run_id: str, relays: Relays
) -> None:
    topic = f"component-{run_id}.{JOB_EVENTS.name}"
    await ensure_topics(infra.kafka_bootstrap_servers, [JOB_EVENTS], f"component-{run_id}.")
    processes = relays(2)
    work = f"outbox:{app.schema}"
    leader = wait_until(lambda: holder(infra.database_url, work), 30, what="a leading relay")
    counter = Counter()
    for _ in range(5):
        counter.increment()
    app.save(counter)
    assert ce_ids(await read_topic(infra, topic, 5)) == [f"{counter.id}:{v}" for v in range(2, 7)]

    os.kill(pid_of(leader), signal.SIGKILL)
    killed = time.monotonic()
    successor = wait_until(
        lambda: (name := holder(infra.database_url, work)) and name != leader and name,
        TAKEOVER_BOUND_S,
        interval=0.02,
        what="the other relay to lead",
    )
    takeover_s = time.monotonic() - killed
    assert pid_of(successor) in processes
    assert pid_of(successor) != pid_of(leader)
    assert takeover_s < TAKEOVER_BOUND_S

    for _ in range(5):
        counter.increment()
    app.save(counter)
    published = ce_ids(await read_topic(infra, topic, 10))
    assert published == [f"{counter.id}:{v}" for v in range(2, 12)]  # each once, in order


async def test_a_refused_position_is_read_again_and_nothing_is_published_twice(
    app: Counters, infra: Infra, run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"component-{run_id}."
    await ensure_topics(infra.kafka_bootstrap_servers, [JOB_EVENTS], prefix)
    recorder = app.process_recorder
    record = recorder.insert_tracking
    refused: list[Tracking] = []

    def commit_whose_answer_is_lost(tracking: Tracking) -> None:
        """The position commits, its answer is lost, and the retry is refused."""
        record(tracking)
        if not refused:
            refused.append(tracking)
            record(tracking)  # raises: this position is recorded already

    monkeypatch.setattr(recorder, "insert_tracking", commit_whose_answer_is_lost)
    producer = make_producer(infra.kafka_bootstrap_servers, client_id=f"relay-{run_id}")
    await producer.start()
    relay = OutboxRelay(
        app, producer, as_job_event, prefix, idle_poll_s=0.05, database_url=infra.database_url
    )
    relay.attach(asyncio.get_running_loop())
    running = asyncio.create_task(relay.run())
    try:
        counter = Counter()
        for _ in range(3):
            counter.increment()
        app.save(counter)
        first = await read_topic(infra, prefix + JOB_EVENTS.name, 3)
        assert refused, "the relay's position was never refused"
        for _ in range(2):
            counter.increment()
        app.save(counter)
        published = ce_ids(await read_topic(infra, prefix + JOB_EVENTS.name, 5))
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await producer.stop()
    assert ce_ids(first) == [f"{counter.id}:{v}" for v in (2, 3, 4)]
    assert published == [f"{counter.id}:{v}" for v in range(2, 7)]  # nothing twice
    assert recorder.max_tracking_id("outbox") == refused[0].notification_id + 2
