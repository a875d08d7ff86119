"""Shared fixtures: real Kafka, PostgreSQL and Redis, found or started, and bounded waits.

`HOSTPLANE_INFRA` chooses where the infrastructure comes from:

- `local` (the default, `make test`): `KAFKA_BOOTSTRAP_SERVERS` / `DATABASE_URL` (and
  `REDIS_URL`) when set, otherwise the project's own `deploy/local/infra.sh` (a real KRaft
  broker, a PostgreSQL cluster and a Redis under `.local/`). It never touches Docker.
- `containers` (`make test-containers`): Kafka, PostgreSQL and Redis containers from
  `HOSTPLANE_KAFKA_IMAGE`, `HOSTPLANE_POSTGRES_IMAGE` and `HOSTPLANE_REDIS_IMAGE` (see
  `tests/containers.py`), through testcontainers. When no Docker engine answers, every test
  that needs them is skipped, saying so.
"""

import os
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


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """Real Kafka, PostgreSQL and Redis for the whole session, as `HOSTPLANE_INFRA` says."""
    mode = os.environ.get("HOSTPLANE_INFRA", "local")
    if mode == "containers":
        yield from _containers()
    elif mode == "local":
        yield from _local()
    else:
        pytest.fail(f"HOSTPLANE_INFRA={mode!r}: expected local or containers", pytrace=False)


def _local() -> Iterator[Infra]:
    kafka, database = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    redis = os.environ.get("REDIS_URL", "")
    if kafka and database:
        yield Infra(kafka, database, redis_url=redis)
        return
    subprocess.run([str(ROOT / "deploy/local/infra.sh"), "up"], check=True)
    yield Infra(
        "127.0.0.1:9092", LOCAL_DATABASE_URL, local=True, redis_url=redis or LOCAL_REDIS_URL
    )


def _containers() -> Iterator[Infra]:
    from tests.containers import engine_answers, running_containers

    why_not = engine_answers()
    if why_not:
        pytest.skip(f"HOSTPLANE_INFRA=containers, but {why_not}")
    with running_containers() as endpoints:
        yield Infra(
            endpoints.kafka_bootstrap_servers, endpoints.database_url, redis_url=endpoints.redis_url
        )
