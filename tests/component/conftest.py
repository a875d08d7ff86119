"""Component tests: one piece of plumbing against the real broker and database."""

import uuid
from collections.abc import Iterator

import pytest

from hostplane.messaging.eventstore import ensure_schema
from hostplane.messaging.settings import InfraSettings
from tests.component.counters import Counters, counters
from tests.conftest import Infra


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def schema(run_id: str) -> str:
    return f"component_{run_id}"


@pytest.fixture
def settings_env(infra: Infra) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "DATABASE_URL": infra.database_url,
    }


@pytest.fixture
def app(infra: Infra, schema: str) -> Iterator[Counters]:
    """A small event-sourced application on a schema of its own."""
    settings = InfraSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka_bootstrap_servers
    )
    ensure_schema(infra.database_url, schema)
    application = counters(settings, schema)
    yield application
    application.close()
