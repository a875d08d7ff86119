"""Shared fixtures: real Kafka, PostgreSQL and Redis, found or started, and bounded waits.

Where the infrastructure comes from, in order: `KAFKA_BOOTSTRAP_SERVERS` / `DATABASE_URL`
(and `REDIS_URL`) when set; testcontainers when a Docker engine answers (Redis only from
`REDIS_URL`); otherwise the project's own `deploy/local/infra.sh` (a real KRaft broker, a
PostgreSQL cluster and a Redis under `.local/`).
"""

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCAL_DATABASE_URL = "postgresql://hostplane:hostplane@127.0.0.1:55432/hostplane"
LOCAL_REDIS_URL = "redis://127.0.0.1:56379/0"

T = TypeVar("T")


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap_servers: str
    database_url: str
    # Started by deploy/local/infra.sh, so tests may restart the broker and the database.
    local: bool = False
    # Where replicas share budgets and rate limits; empty: none (each process keeps its own).
    redis_url: str = ""

    def restart(self, component: str) -> None:
        """Restart `kafka`, `postgres` or `redis` (local infrastructure only)."""
        assert self.local, "only the project's own infrastructure can be restarted"
        subprocess.run([str(ROOT / "deploy/local/infra.sh"), f"{component}-restart"], check=True)


def wait_until(
    probe: Callable[[], T | None], timeout: float = 20.0, interval: float = 0.05, what: str = ""
) -> T:
    """Poll `probe` until it returns something truthy, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}: last={last!r}")


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    result = subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False)
    return result.returncode == 0


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """Real Kafka, PostgreSQL and (unless only Docker has them) Redis for the whole session."""
    kafka, database = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    redis = os.environ.get("REDIS_URL", "")
    if kafka and database:
        yield Infra(kafka, database, redis_url=redis)
    elif _docker_answers():
        from testcontainers.kafka import KafkaContainer
        from testcontainers.postgres import PostgresContainer

        with KafkaContainer().with_kraft() as k, PostgresContainer("postgres:16") as pg:
            url = pg.get_connection_url().replace("postgresql+psycopg2", "postgresql")
            yield Infra(k.get_bootstrap_server(), url, redis_url=redis)
    else:
        subprocess.run([str(ROOT / "deploy/local/infra.sh"), "up"], check=True)
        yield Infra(
            "127.0.0.1:9092", LOCAL_DATABASE_URL, local=True, redis_url=redis or LOCAL_REDIS_URL
        )
