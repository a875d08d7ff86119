"""Component tests: one piece of plumbing against the real broker and database."""

import uuid

import pytest

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
