"""The run loop every service shares: topics, subscribers, the outbox relay, tasks, shutdown."""

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import prometheus_client
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from hostplane.contracts.topics import ALL_TOPICS
from hostplane.messaging.eventstore import TrackedApplication
from hostplane.messaging.health import (
    HEALTH,
    Health,
    database_answers,
    loop_answers,
    tasks_running,
)
from hostplane.messaging.kafka import ensure_topics, make_producer, unassigned_groups
from hostplane.messaging.observability import configure_observability
from hostplane.messaging.outbox import OutboxRelay, Translate
from hostplane.messaging.producer import Producer
from hostplane.messaging.settings import InfraSettings

log = logging.getLogger(__name__)

CONSUMER_LAG = prometheus_client.Gauge(
    "hostplane_consumer_lag",
    "Messages on a partition not yet consumed by the group",
    ["group", "topic", "partition"],
)
OUTBOX_BACKLOG = prometheus_client.Gauge(
    "hostplane_outbox_backlog", "Stored events not yet published to Kafka"
)
LAG_INTERVAL_S = 5.0
# How long a stopping service waits for its tasks to let go of what they hold.
CANCEL_WAIT_S = 5.0


def observe(name: str, settings: InfraSettings) -> None:
    """Logs, traces and metrics for the service `name`, as its settings ask."""
    configure_observability(
        name,
        log_level=settings.log_level,
        log_format=settings.log_format,
        traces_exporter=settings.otel_traces_exporter,
        metrics_port=settings.metrics_port,
        metrics_host=settings.metrics_host,
    )


def make_broker(name: str, settings: InfraSettings) -> KafkaBroker:
    """A broker whose subscribers report to Prometheus.

    Traces are continued per record, not per fetched batch (`handle_records`, `consuming`).
    """
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=name,
        logger=log,
        log_level=logging.DEBUG,
        middlewares=[
            KafkaPrometheusMiddleware(registry=prometheus_client.REGISTRY, app_name=name),
        ],
    )


async def track_consumer_lag(broker: KafkaBroker, interval_s: float = LAG_INTERVAL_S) -> None:
    """Keep `hostplane_consumer_lag` current for every partition this process consumes."""
    while True:
        for subscriber in broker.subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is None:
                continue
            for partition in consumer.assignment():
                end = consumer.highwater(partition)
                if end is None:
                    continue
                with contextlib.suppress(Exception):  # a partition revoked meanwhile
                    position = await consumer.position(partition)
                    CONSUMER_LAG.labels(
                        getattr(subscriber, "group_id", ""), partition.topic, partition.partition
                    ).set(max(end - position, 0))
        await asyncio.sleep(interval_s)


class Closable(Protocol):
    """An application a service runs: closed once the service has stopped."""

    def close(self) -> None: ...


AppT = TypeVar("AppT", bound=Closable)
SettingsT = TypeVar("SettingsT", bound=InfraSettings)

# Work a service does beside consuming (a timer, a sampler): a coroutine started once with the
# service and cancelled when it stops.
BackgroundTask = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Outbox:
    """What a service publishes: the events its application stores, translated for Kafka."""

    app: TrackedApplication
    translate: Translate


async def run_service(
    name: str,
    settings: SettingsT,
    app: AppT,
    subscribe: Callable[[KafkaBroker, AppT, SettingsT], None],
    *,
    outbox: Outbox | None = None,
    tasks: Sequence[BackgroundTask] = (),
) -> None:
    """Consume, relay the outbox if there is one, run `tasks`, and stop on SIGTERM or SIGINT.

    The relay and every task live as long as the service: one that ends stops the service,
    and what it raised surfaces (a service does not run on without them).
    """
    # Handlers run blocking I/O (database, provider SDKs) in threads: room for every consumer.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32))
    HEALTH.live_when("loop", loop_answers(asyncio.get_running_loop()))
    if settings.kafka_create_topics:
        await ensure_topics(settings.kafka_bootstrap_servers, ALL_TOPICS, settings.topic_prefix)
    broker = make_broker(name, settings)
    producer: Producer | None = None
    # The relay and `tasks`: the service stops when one of them ends. Besides: consumer lag.
    essential: list[asyncio.Task[None]] = []
    besides: list[asyncio.Task[None]] = []
    try:
        if outbox is not None:
            producer = make_producer(settings.kafka_bootstrap_servers, client_id=f"{name}-outbox")
            await producer.start()
            # The relay campaigns before the consumers join their groups: joining waits for a
            # killed member's session to expire, and a standby must be ready to take over.
            essential.append(_start_relay(name, settings, outbox, producer))
        subscribe(broker, app, settings)
        await broker.start()
        # Whatever exists once started lives as long as the process: keep the collector off
        # it, so its pauses stay short.
        gc.freeze()
        besides.append(asyncio.create_task(track_consumer_lag(broker), name=f"{name}-consumer-lag"))
        essential += [asyncio.create_task(task(), name=f"{name}-{_named(task)}") for task in tasks]
        watch_health(HEALTH, settings, broker, essential)
        log.info("%s started", name)
        await _until_stopped(essential)
    finally:
        await _cancel(essential + besides)
        await broker.stop()
        if producer is not None:
            await producer.stop()
        app.close()
        log.info("%s stopped", name)


def watch_health(
    health: Health,
    settings: InfraSettings,
    broker: KafkaBroker,
    essential: Sequence[asyncio.Task[None]],
) -> None:
    """Live while the essential tasks run; ready once every consumer has its assignment and
    while PostgreSQL answers."""
    health.live_when("tasks", tasks_running(essential))
    health.ready_when("consumers", lambda: _waiting(unassigned_groups(broker)))
    if settings.event_store == "postgresql":
        health.ready_when("database", database_answers(settings.database_url))


def _waiting(groups: list[str]) -> str | None:
    return f"not assigned yet: {', '.join(groups)}" if groups else None


def _start_relay(
    name: str, settings: InfraSettings, outbox: Outbox, producer: Producer
) -> asyncio.Task[None]:
    relay = OutboxRelay(
        outbox.app,
        producer,
        outbox.translate,
        settings.topic_prefix,
        database_url=settings.database_url,
    )
    relay.attach(asyncio.get_running_loop())
    OUTBOX_BACKLOG.set_function(relay.backlog)
    return asyncio.create_task(relay.run(), name=f"{name}-outbox-relay")


async def _until_stopped(essential: list[asyncio.Task[None]]) -> None:
    """Wait for SIGTERM or SIGINT, or for an essential task to end (raising what it raised)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    stopping = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait([stopping, *essential], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        for signum in signals:
            loop.remove_signal_handler(signum)
    for task in done - {stopping}:
        task.result()  # surface a crash instead of running without the task
        log.error("%s ended: the service stops, as it does not run without it", task.get_name())


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel `tasks` and give them a moment to let go of what they hold (a lead, a lock)."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=CANCEL_WAIT_S)


def _named(task: BackgroundTask) -> str:
    function = getattr(task, "func", task)  # a functools.partial names what it calls
    return str(getattr(function, "__name__", "task"))
