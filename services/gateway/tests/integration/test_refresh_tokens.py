"""CloudVPS's refresh tokens in `gateway.refresh_tokens`, on the real PostgreSQL: each is good
once (of concurrent uses one wins), a replay revokes its session, and revoking a user's
sessions can keep the current one."""

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


async def test_a_token_is_good_once_even_when_used_at_once(db: Database) -> None:
    token, session, user = uuid4(), uuid4(), uuid4()
    await db.issue(token, session, user, 60)
    taken = await asyncio.gather(*(db.take(token) for _ in range(6)))
    assert [(t.session_id, t.user_id) for t in taken if t is not None] == [(session, user)]


async def test_a_replay_revokes_the_whole_session(db: Database) -> None:
    first, second, session, user = uuid4(), uuid4(), uuid4(), uuid4()
    await db.issue(first, session, user, 60)
    assert await db.take(first) is not None
    await db.issue(second, session, user, 60)  # the pair the refresh handed out
    assert await db.take(first) is None  # replayed
    assert await db.take(second) is None  # and the session is gone


async def test_revoking_a_users_sessions_keeps_the_one_asked(db: Database) -> None:
    user, here, there = uuid4(), uuid4(), uuid4()
    mine, theirs = uuid4(), uuid4()
    await db.issue(mine, here, user, 60)
    await db.issue(theirs, there, user, 60)
    await db.revoke_user(user, keep=here)
    assert await db.take(theirs) is None
    assert await db.take(mine) is not None


async def test_an_expired_token_is_refused(db: Database) -> None:
    token = uuid4()
    await db.issue(token, uuid4(), uuid4(), 0)
    assert await db.take(token) is None
