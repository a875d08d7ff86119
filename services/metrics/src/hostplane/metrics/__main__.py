"""`python -m hostplane.metrics`: project every event topic into the `views` read models."""

import asyncio
import gc
import logging
import signal

import uvloop
from hcloud import Client

from hostplane.contracts.topics import ALL_TOPICS
from hostplane.messaging.kafka import ensure_topics
from hostplane.providers.budget import pace
from hostplane.messaging.service import make_broker, observe, track_consumer_lag
from hostplane.metrics.adapters.store import ViewStore
from hostplane.metrics.adapters.usage import UsageCollector
from hostplane.metrics.entrypoints.consumers import subscribe, subscribe_telemetry
from hostplane.metrics.settings import Settings

log = logging.getLogger("hostplane.metrics")


async def run(settings: Settings) -> None:
    store = ViewStore(settings.database_url)
    store.create_schema()
    await ensure_topics(settings.kafka_bootstrap_servers, ALL_TOPICS, settings.topic_prefix)
    broker = make_broker("metrics", settings)
    subscribe(broker, store, settings)
    subscribe_telemetry(broker, store, settings)
    await broker.start()
    gc.freeze()  # startup's objects live as long as the process: keep collections short
    lag = asyncio.create_task(track_consumer_lag(broker), name="consumer-lag")
    collecting = None
    if settings.metrics_interval_s > 0 and settings.hetzner_api_token:
        client = Client(
            token=settings.hetzner_api_token, api_endpoint=settings.hetzner_api_endpoint
        )
        budget = settings.hetzner_budget()
        # hcloud takes no transport of ours; its session is where every request passes.
        pace(client._client._session, settings.hetzner_api_endpoint, "hetzner", budget)
        collector = UsageCollector(store, client, settings.metrics_interval_s)
        collecting = asyncio.create_task(collector.run(), name="usage-collector")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("metrics started")
    await stop.wait()
    lag.cancel()
    if collecting is not None:
        collecting.cancel()
    await broker.stop()
    store.close()


def main() -> None:
    settings = Settings()
    observe("metrics", settings)
    uvloop.run(run(settings))


if __name__ == "__main__":
    main()
