"""Age ranks of the admin listing: exact however instances arrive, and equal after a replay."""

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from hostplane.contracts.events import EventPayload, InstanceCreated
from hostplane.messaging.eventstore import Position
from hostplane.metrics.adapters.store import ViewStore
from tests.conftest import Infra

PARTITIONS = 4
Batch = tuple[list[Position], list[tuple[EventPayload | None, int]]]


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
            positions = [Position("vps.events", partition, start + k) for k in range(len(chunk))]
            out.append((positions, [(event, 1) for event in chunk]))
    return out


def partition(batch: Batch) -> int:
    return batch[0][0].partition


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
def stores(infra: Infra, schema: str) -> Iterator[tuple[ViewStore, ViewStore]]:
    live = ViewStore(infra.database_url, schema=schema, pool_size=PARTITIONS)
    replay = ViewStore(infra.database_url, schema=f"{schema}_replay", replay=True)
    for store in (live, replay):
        store.create_schema()
    yield live, replay
    for store in (live, replay):
        store.close()
    with psycopg.connect(infra.database_url, autocommit=True) as conn:
        for name in (schema, f"{schema}_replay"):
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def test_ranks_follow_creation_however_instances_arrive(
    infra: Infra, schema: str, stores: tuple[ViewStore, ViewStore]
) -> None:
    live, replay = stores
    start = datetime.now(UTC)
    # Creations a few seconds apart at most, shuffled: each partition's batches run in
    # parallel with the others' and arrive out of creation order.
    events = [created(start + timedelta(milliseconds=random.randint(0, 5000))) for _ in range(400)]
    random.shuffle(events)
    work = batches(events, size=7)
    with ThreadPoolExecutor(PARTITIONS) as pool:
        for done in [
            pool.submit(lambda p=p: [live.apply_batch(*b) for b in work if partition(b) == p])
            for p in range(PARTITIONS)
        ]:
            done.result()
    assert ranks(infra.database_url, schema) == expected(events)

    # A batch delivered again changes nothing.
    live.apply_batch(*work[3])
    assert ranks(infra.database_url, schema) == expected(events)

    # A replay ranks once, at its end, and agrees with the live ranks. It takes partitions
    # one after the other, the last first.
    for p in reversed(range(PARTITIONS)):
        for batch in [b for b in work if partition(b) == p]:
            replay.apply_batch(*batch)
    assert set(ranks(infra.database_url, f"{schema}_replay").values()) == {None}
    replay.rank_instances()
    assert ranks(infra.database_url, f"{schema}_replay") == expected(events)
