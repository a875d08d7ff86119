"""Age ranks of the admin listing: exact however instances arrive, and equal after a replay."""

import random
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from hostplane.contracts.events import InstanceCreated
from hostplane.messaging.eventstore import Position
from hostplane.metrics.application import Delivered, Metrics
from tests.component.read_models import metrics_on
from tests.conftest import Infra

PARTITIONS = 4
Batch = list[Delivered]


def created(at: datetime) -> InstanceCreated:
    n = random.randint(1, 10**9)
    return InstanceCreated(
        occurred_at=at,
        instance_id=uuid4(),
        job_id=None,
        whmcs_service_id=n,
        whmcs_client_id=n,
        plan="starter",
        region="eu-frankfurt",
        email=f"user{n}@example.com",
        subdomain=f"rank{n}",
        server_type="cx22",
        location="fsn1",
        ai_preset=None,
        ready_token_sha256="0" * 64,
    )


def batches(events: list[InstanceCreated], size: int) -> list[Batch]:
    """The events spread over partitions, in batches of `size` per partition."""
    out: list[Batch] = []
    for partition in range(PARTITIONS):
        mine = events[partition::PARTITIONS]
        for start in range(0, len(mine), size):
            chunk = mine[start : start + size]
            out.append(
                [
                    Delivered(Position("vps.events", partition, start + k), event, 1)
                    for k, event in enumerate(chunk)
                ]
            )
    return out


def partition(batch: Batch) -> int:
    return batch[0].position.partition


def ranks(database_url: str, schema: str) -> dict[str, int | None]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            sql.SQL("SELECT id::text, age_rank FROM {}.instances").format(sql.Identifier(schema))
        ).fetchall()
    return dict(rows)


def expected(events: list[InstanceCreated]) -> dict[str, int]:
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.instance_id))
    return {str(e.instance_id): rank for rank, e in enumerate(ordered, start=1)}


@pytest.fixture
def views(infra: Infra, schema: str) -> Iterator[tuple[Metrics, Metrics]]:
    """Live read models (ranked as instances arrive) and a replay's (ranked at its end)."""
    with (
        metrics_on(infra, schema) as live,
        metrics_on(infra, f"{schema}_replay", replay=True) as replay,
    ):
        yield live, replay


async def test_ranks_follow_creation_however_instances_arrive(
    infra: Infra, schema: str, views: tuple[Metrics, Metrics]
) -> None:
    live, replay = views
    start = datetime.now(UTC)
    # Creations a few seconds apart at most, shuffled: each partition's batches run in
    # parallel with the others' and arrive out of creation order.
    events = [created(start + timedelta(milliseconds=random.randint(0, 5000))) for _ in range(400)]
    random.shuffle(events)
    work = batches(events, size=7)

    def apply_partition(p: int) -> None:
        for batch in work:
            if partition(batch) == p:
                live.apply_events(batch)

    with ThreadPoolExecutor(PARTITIONS) as pool:
        list(pool.map(apply_partition, range(PARTITIONS)))
    assert ranks(infra.database_url, schema) == expected(events)

    # A batch delivered again changes nothing.
    live.apply_events(work[3])
    assert ranks(infra.database_url, schema) == expected(events)

    # A replay ranks once, at its end, and agrees with the live ranks. It takes partitions
    # one after the other, the last first.
    async def history() -> AsyncIterator[Batch]:
        for p in reversed(range(PARTITIONS)):
            for batch in [b for b in work if partition(b) == p]:
                yield batch
        assert set(ranks(infra.database_url, f"{schema}_replay").values()) == {None}

    assert await replay.rebuild(history()) == len(events)
    assert ranks(infra.database_url, f"{schema}_replay") == expected(events)
