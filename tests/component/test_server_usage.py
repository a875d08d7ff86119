"""Server usage arrives on Kafka and is stored once per instance and time, however often it is
delivered; metrics runs on the shared run loop, whose tasks it cannot run without."""

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql

from hostplane.contracts.telemetry import ServerUsage
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import make_producer
from hostplane.messaging.service import run_service
from hostplane.metrics.adapters.schemas import drop_schema
from hostplane.metrics.application import Metrics
from hostplane.metrics.bootstrap import bootstrap
from hostplane.metrics.entrypoints.consumers import subscribe
from hostplane.metrics.settings import Settings
from tests.component.read_models import metrics_on, metrics_settings
from tests.conftest import Infra, wait_until


def sample(instance_id: UUID, ts: datetime, ram_used_mb: float | None) -> ServerUsage:
    return ServerUsage(
        instance_id=instance_id,
        ts=ts,
        provider="proxmox",
        cpu_percent=12.5,
        disk_bps=2048.0,
        net_in_bps=300.0,
        net_out_bps=700.0,
        traffic_out_gb=1.5,
        traffic_gb=20.0,
        ram_used_mb=ram_used_mb,
    )


def stored(infra: Infra, schema: str, instance_id: UUID) -> list[tuple[Any, ...]]:
    with psycopg.connect(infra.database_url) as conn:
        return conn.execute(
            sql.SQL(
                "SELECT ts, cpu_percent, ram_used_mb FROM {}.usage_samples "
                "WHERE instance_id = %s ORDER BY ts"
            ).format(sql.Identifier(schema)),
            (instance_id,),
        ).fetchall()


@pytest.fixture
def settings(infra: Infra, run_id: str) -> Settings:
    return metrics_settings(infra, topic_prefix=f"component-{run_id}.")


@pytest.fixture
def metrics(settings: Settings, schema: str) -> Iterator[Metrics]:
    """Metrics wired as the service wires it; the run loop closes it when it stops."""
    yield bootstrap(settings, schema=schema)
    drop_schema(settings.database_url, schema)


async def test_a_sample_delivered_twice_is_stored_once(
    infra: Infra, settings: Settings, schema: str, metrics: Metrics
) -> None:
    service = asyncio.create_task(run_service("metrics", settings, metrics, subscribe))
    instance_id, now = uuid4(), datetime.now(UTC).replace(microsecond=0)
    first = sample(instance_id, now, ram_used_mb=812.0)
    # Provisioning sampled the server again a minute later (Hetzner sees no memory).
    later = sample(instance_id, now + timedelta(minutes=1), ram_used_mb=None)
    producer = make_producer(settings.kafka_bootstrap_servers, client_id="component")
    await producer.start()
    try:
        for usage in (first, first, later):  # the first one redelivered
            await producer.send_and_wait(
                settings.topic(ServerUsage.topic),
                usage.model_dump_json().encode(),
                str(instance_id).encode(),
                [],
            )
        # The later sample follows both copies on the instance's partition.
        rows = await asyncio.to_thread(
            wait_until,
            lambda: (found := stored(infra, schema, instance_id)) and len(found) == 2 and found,
            60,
            what="both samples stored",
        )
    finally:
        await producer.stop()
        service.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await service
    assert rows == [(now, 12.5, 812.0), (now + timedelta(minutes=1), 12.5, None)]


async def test_a_crashed_task_stops_the_service_with_its_error(
    settings: Settings, metrics: Metrics
) -> None:
    async def sampling() -> None:
        raise RuntimeError("the sampler lost its connection")

    with pytest.raises(RuntimeError, match="lost its connection"):
        await asyncio.wait_for(
            run_service("metrics", settings, metrics, subscribe, tasks=[sampling]), 60
        )


def test_samples_past_their_retention_are_forgotten(infra: Infra, schema: str) -> None:
    instance_id, now = uuid4(), datetime.now(UTC).replace(microsecond=0)
    with metrics_on(infra, schema) as metrics:
        metrics.store_server_usage(
            Position("telemetry.server_usage", 0, 0),
            [
                sample(instance_id, now - timedelta(days=31), ram_used_mb=500.0),
                sample(instance_id, now, ram_used_mb=600.0),
            ],
        )
        assert metrics.forget_old_usage() == 1
        assert stored(infra, schema, instance_id) == [(now, 12.5, 600.0)]
