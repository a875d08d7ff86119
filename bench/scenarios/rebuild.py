"""rebuild: drop the read models and replay the whole event history into them."""

import asyncio
import statistics
import time
import uuid

from bench.common import REPEATS, Result, Target, infra
from bench.seed import event_history
from hostplane.metrics.rebuild import rebuild
from hostplane.metrics.settings import Settings
from tests.stack import drop_database, fresh_database

INSTANCES = 20_000


def run() -> Result:
    base = infra()
    name = f"hostplane_bench_rebuild_{uuid.uuid4().hex[:8]}"
    database_url = fresh_database(base.database_url, name)
    prefix = f"bench-rebuild-{uuid.uuid4().hex[:8]}."
    try:
        events = asyncio.run(event_history(base.kafka_bootstrap_servers, prefix, INSTANCES))
        settings = Settings(
            kafka_bootstrap_servers=base.kafka_bootstrap_servers,
            database_url=database_url,
            topic_prefix=prefix,
        )
        rates = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            applied = asyncio.run(rebuild(settings, "rebuilt"))
            rates.append(applied / (time.perf_counter() - started))
    finally:
        drop_database(base.database_url, name)
    figures = {
        "events": events,
        "events_per_s": statistics.median(rates),
        "runs_events_per_s": rates,
    }
    return Result(
        "rebuild",
        figures,
        {"instances": INSTANCES, "events_per_instance": 5, "repeats": REPEATS},
        [Target("rebuild events/s", figures["events_per_s"], 10_000)],
    )
