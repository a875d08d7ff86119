"""What an orchestrator sees at /health/live and /health/ready of a service's metrics listener."""

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage

from hostplane.messaging.health import Health, loop_answers, serve, tasks_running
from hostplane.messaging.kafka import rebalance_listeners, tracked_subscriber
from hostplane.messaging.service import watch_health
from hostplane.messaging.settings import InfraSettings

# Nothing listens on port 1: connections are refused at once.
DATABASE_DOWN = "postgresql://hostplane:hostplane@127.0.0.1:1/hostplane"


@pytest.fixture
def health() -> Iterator[tuple[Health, str]]:
    """A fresh Health served on a free port, and that listener's URL."""
    checks = Health()
    server = serve("127.0.0.1", 0, checks)
    yield checks, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def ask(url: str) -> tuple[int, dict[str, Any]]:
    """GET from a thread: the loop under test stays free to answer the liveness check."""
    return await asyncio.to_thread(get, url)


def consuming_broker(*groups: str) -> KafkaBroker:
    broker = KafkaBroker("127.0.0.1:1")
    for group in groups:

        @tracked_subscriber(broker, "vps.events", group_id=group, next_offset=lambda t, p: None)
        async def handle(message: KafkaMessage) -> None:
            return None

    return broker


async def forever() -> None:
    await asyncio.Event().wait()


async def test_a_service_is_not_ready_until_every_consumer_has_its_assignment(
    health: tuple[Health, str],
) -> None:
    checks, url = health
    broker = consuming_broker("dns-vps-events", "dns-commands")
    task = asyncio.create_task(forever(), name="dns-outbox-relay")
    checks.live_when("loop", loop_answers(asyncio.get_running_loop()))
    watch_health(checks, InfraSettings(event_store="memory"), broker, [task])
    first, second = rebalance_listeners(broker)
    for listener in (first, second):
        listener.consumer = lambda: object()  # started

    status, body = await ask(f"{url}/health/ready")
    assert status == 503
    assert body["checks"]["consumers"] == "not assigned yet: dns-vps-events, dns-commands"

    await first.on_partitions_assigned([])  # an empty share is a share (more replicas)
    status, body = await ask(f"{url}/health/ready")
    assert (status, body["checks"]["consumers"]) == (503, "not assigned yet: dns-commands")

    await second.on_partitions_assigned([])
    assert await ask(f"{url}/health/ready") == (
        200,
        {"status": "ok", "checks": {"loop": "ok", "tasks": "ok", "consumers": "ok"}},
    )

    await second.on_partitions_revoked([])  # a rebalance under way
    assert (await ask(f"{url}/health/ready"))[0] == 503
    assert (await ask(f"{url}/health/live"))[0] == 200
    task.cancel()


async def test_a_service_is_not_ready_while_its_database_is_down(
    health: tuple[Health, str],
) -> None:
    checks, url = health
    watch_health(checks, InfraSettings(database_url=DATABASE_DOWN), consuming_broker(), [])

    status, body = await ask(f"{url}/health/ready")

    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["database"] == "unreachable: OperationalError"
    assert await ask(f"{url}/health/live") == (200, {"status": "ok", "checks": {"tasks": "ok"}})


async def test_a_service_whose_essential_task_died_is_not_live(
    health: tuple[Health, str],
) -> None:
    checks, url = health

    losing = asyncio.Event()

    async def crash() -> None:
        await losing.wait()
        raise RuntimeError("lost the lock")

    relay = asyncio.create_task(crash(), name="billing-outbox-relay")
    timer = asyncio.create_task(forever(), name="billing-timer")
    checks.live_when("tasks", tasks_running([relay, timer]))
    assert await ask(f"{url}/health/live") == (200, {"status": "ok", "checks": {"tasks": "ok"}})

    losing.set()
    await asyncio.gather(relay, return_exceptions=True)

    status, body = await ask(f"{url}/health/live")
    assert (status, body["checks"]["tasks"]) == (503, "ended: billing-outbox-relay")
    assert (await ask(f"{url}/health/ready"))[0] == 503
    timer.cancel()


def test_a_loop_that_does_not_answer_fails_liveness() -> None:
    stalled = asyncio.new_event_loop()  # never run: as good as blocked
    assert loop_answers(stalled, timeout_s=0.2)() == "event loop blocked over 0.2 s"
    stalled.close()
    assert loop_answers(stalled)() == "event loop closed"


def test_a_process_is_not_ready_before_its_service_says_what_ready_means(
    health: tuple[Health, str],
) -> None:
    _, url = health
    assert get(f"{url}/health/live") == (200, {"status": "ok", "checks": {}})
    assert get(f"{url}/health/ready") == (
        503,
        {"status": "failing", "checks": {"service": "starting"}},
    )


def test_the_listener_still_serves_prometheus_metrics(health: tuple[Health, str]) -> None:
    _, url = health
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as answer:
        assert answer.status == 200
        assert b"python_info" in answer.read()
