"""The run loop every domain service shares: topics, subscribers, the outbox relay, shutdown."""

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import prometheus_client
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from hostplane.contracts.topics import ALL_TOPICS
from hostplane.messaging.eventstore import TrackedApplication
from hostplane.messaging.kafka import ensure_topics, make_producer
from hostplane.messaging.observability import configure_observability
from hostplane.messaging.outbox import OutboxRelay, Translate
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


def observe(name: str, settings: InfraSettings) -> None:
    """Logs, traces and metrics for the service `name`, as its settings ask."""
    configure_observability(
        name,
        log_level=settings.log_level,
        log_format=settings.log_format,
        traces_exporter=settings.otel_traces_exporter,
        metrics_port=settings.metrics_port,
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


async def run_service(
    name: str,
    settings: InfraSettings,
    app: TrackedApplication,
    translate: Translate,
    subscribe: Callable[[KafkaBroker, TrackedApplication, InfraSettings], None],
) -> None:
    """Consume, relay the outbox, and stop cleanly on SIGTERM or SIGINT."""
    # Handlers run blocking I/O (database, provider SDKs) in threads: room for every consumer.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32))
    await ensure_topics(settings.kafka_bootstrap_servers, ALL_TOPICS, settings.topic_prefix)
    producer = make_producer(settings.kafka_bootstrap_servers, client_id=f"{name}-outbox")
    await producer.start()
    relay = OutboxRelay(
        app, producer, translate, settings.topic_prefix, database_url=settings.database_url
    )
    relay.attach(asyncio.get_running_loop())
    OUTBOX_BACKLOG.set_function(relay.backlog)
    # The relay campaigns before the consumers join their groups: joining waits for a killed
    # member's session to expire, and a standby must be ready to take over meanwhile.
    relay_task = asyncio.create_task(relay.run(), name=f"{name}-outbox-relay")
    broker = make_broker(name, settings)
    subscribe(broker, app, settings)
    await broker.start()
    # Whatever exists once started lives as long as the process: keep the collector off it,
    # so its pauses stay short.
    gc.freeze()
    lag_task = asyncio.create_task(track_consumer_lag(broker), name=f"{name}-consumer-lag")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("%s started", name)
    done, _ = await asyncio.wait(
        [relay_task, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED
    )
    try:
        if relay_task in done:
            relay_task.result()  # surface a crashed relay instead of running without it
    finally:
        relay_task.cancel()
        lag_task.cancel()
        await broker.stop()
        await producer.stop()
        app.close()
        log.info("%s stopped", name)
