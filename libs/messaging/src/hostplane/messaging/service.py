"""The run loop every domain service shares: topics, subscribers, the outbox relay, shutdown."""

import asyncio
import logging
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from faststream.kafka import KafkaBroker

from hostplane.contracts.topics import ALL_TOPICS
from hostplane.messaging.eventstore import TrackedApplication
from hostplane.messaging.kafka import ensure_topics, make_producer
from hostplane.messaging.outbox import OutboxRelay, Translate
from hostplane.messaging.settings import InfraSettings

log = logging.getLogger(__name__)


def configure_logging(level: str) -> None:
    """One line per record, with the service and logger names."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


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
    relay = OutboxRelay(app, producer, translate, settings.topic_prefix)
    relay.attach(asyncio.get_running_loop())
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers, client_id=name, logger=log, log_level=logging.DEBUG
    )
    subscribe(broker, app, settings)
    await broker.start()
    relay_task = asyncio.create_task(relay.run(), name=f"{name}-outbox-relay")

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
        await broker.stop()
        await producer.stop()
        app.close()
        log.info("%s stopped", name)
