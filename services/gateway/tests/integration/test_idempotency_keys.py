"""mPanel's Idempotency-Keys in `gateway.idempotency_keys`, on the real PostgreSQL: of
concurrent first uses one is fresh, the body of the first is what later uses are held to,
and an expired key names a new resource."""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from hostplane.gateway.adapters.database import Database
from tests.conftest import Infra


@pytest.fixture
async def db(infra: Infra) -> AsyncIterator[Database]:
    database = Database(infra.database_url, pool_size=8)
    await database.open()
    yield database
    await database.close()


async def test_concurrent_first_uses_of_a_key_are_one(db: Database) -> None:
    key, resource = f"order:test:{uuid4()}", uuid4()
    claims = await asyncio.gather(*(db.claim(key, "digest-a", resource, 60) for _ in range(8)))
    assert sum(claim.fresh for claim in claims) == 1
    assert {(claim.resource_id, claim.body_sha256) for claim in claims} == {(resource, "digest-a")}


async def test_a_later_use_answers_what_the_first_recorded(db: Database) -> None:
    key, first = f"order:test:{uuid4()}", uuid4()
    await db.claim(key, "digest-a", first, 60)
    again = await db.claim(key, "digest-b", uuid4(), 60)
    assert (again.fresh, again.resource_id, again.body_sha256) == (False, first, "digest-a")


async def test_an_expired_key_is_fresh_again_and_swept(db: Database) -> None:
    key = f"order:test:{uuid4()}"
    await db.claim(key, "digest-a", uuid4(), 0)
    later = uuid4()
    renewed = await db.claim(key, "digest-b", later, 0)
    assert (renewed.fresh, renewed.resource_id) == (True, later)
    assert await db.forget_expired() >= 1
    assert (await db.claim(key, "digest-c", uuid4(), 60)).fresh
