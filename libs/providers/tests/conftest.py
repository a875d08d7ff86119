"""Redis for the budget tests: `REDIS_URL`, else the project's own (deploy/local/infra.sh)."""

import uuid
from collections.abc import Iterator

import pytest
from redis import Redis

from tests.conftest import Infra, infra  # noqa: F401 - the fixture, for these tests too


@pytest.fixture(scope="session")
def redis_url(infra: Infra) -> str:  # noqa: F811 - the fixture imported above
    if not infra.redis_url:
        pytest.skip("no Redis here: set REDIS_URL")
    return infra.redis_url


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def account() -> str:
    """A provider account of this test's own."""
    return f"test-account-{uuid.uuid4().hex}"
