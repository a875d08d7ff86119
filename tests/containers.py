"""Kafka, PostgreSQL and Redis as containers, for `HOSTPLANE_INFRA=containers`.

The images are `HOSTPLANE_KAFKA_IMAGE`, `HOSTPLANE_POSTGRES_IMAGE` and
`HOSTPLANE_REDIS_IMAGE`; by default the ones `make images` last built or pulled (it writes
them to `.local/docker/images.env`: the project's own equivalents where no registry answers),
else `deploy/docker/images.env`'s official images. Both kinds are configured the same way (the
official images' environment variables), so `DockerContainer` runs them alike; the
Confluent-specific `KafkaContainer` would not.

The containers share a Docker network of their own and publish their ports on 127.0.0.1
only. Each is ready when it does its job: PostgreSQL answers `SELECT 1`, Kafka answers a
metadata request naming its broker, Redis answers PING.
"""

import asyncio
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import docker.errors  # type: ignore[import-untyped]  # docker-py ships no types
import psycopg
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from redis import Redis
from redis.exceptions import RedisError
from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer
from testcontainers.core.network import Network

ROOT = Path(__file__).resolve().parents[1]
IMAGES_ENV = ROOT / "deploy" / "docker" / "images.env"
BUILT_IMAGES_ENV = ROOT / ".local" / "docker" / "images.env"
STARTUP_TIMEOUT_S = 120.0
USER, PASSWORD, DATABASE = "hostplane", "hostplane", "hostplane"


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap_servers: str
    database_url: str
    redis_url: str


def engine_answers() -> str | None:
    """None when the Docker engine at DOCKER_HOST answers, else why not."""
    try:
        client = docker.from_env(timeout=10)
        try:
            client.ping()
        finally:
            client.close()
    except docker.errors.DockerException as error:
        where = os.environ.get("DOCKER_HOST", "Docker's default socket")
        return f"no Docker engine answers at {where}: {error}"
    return None


def images_env(path: Path) -> dict[str, str]:
    """The KEY=value lines of an images.env file."""
    lines = (line.strip() for line in path.read_text().splitlines())
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def image(name: str) -> str:
    """The image of `name` (KAFKA, POSTGRES, REDIS): HOSTPLANE_<name>_IMAGE, else the one
    `make images` built or pulled (.local/docker/images.env), else images.env's default."""
    key = f"{name}_IMAGE"
    chosen = os.environ.get(f"HOSTPLANE_{key}")
    if chosen:
        return chosen
    for path in (BUILT_IMAGES_ENV, IMAGES_ENV):
        if path.exists() and (configured := images_env(path).get(key)):
            return configured
    raise LookupError(f"{key} is in neither {BUILT_IMAGES_ENV} nor {IMAGES_ENV}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_ready(service: "Service") -> None:
    """Poll the service until it does its job; fail with the container's last log lines
    when it exits or `STARTUP_TIMEOUT_S` passes."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not service.answers(service.endpoint):
        wrapped = service.container.get_wrapped_container()
        wrapped.reload()
        if wrapped.status == "exited" or time.monotonic() > deadline:
            logs = wrapped.logs(tail=40).decode(errors="replace")
            raise RuntimeError(
                f"{service.container.image} does not answer at {service.endpoint}:\n{logs}"
            )
        time.sleep(0.25)


def _postgres_answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.OperationalError:
        return False


def _kafka_answers(bootstrap_servers: str) -> bool:
    async def metadata() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=3000)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            return bool(cluster["brokers"]) and cluster["controller_id"] is not None
        finally:
            await admin.close()

    try:
        return asyncio.run(metadata())
    except (KafkaError, OSError):
        return False


def _redis_answers(url: str) -> bool:
    client = Redis.from_url(url, socket_timeout=2)
    try:
        return bool(client.ping())
    except RedisError:
        return False
    finally:
        client.close()


@dataclass(frozen=True)
class Service:
    """A container, where the host reaches it, and whether it answers there."""

    container: DockerContainer
    endpoint: str
    answers: Callable[[str], bool]


def _published(container: DockerContainer, port: int) -> tuple[DockerContainer, int]:
    """`container` with `port` published on 127.0.0.1 at a free port, which it returns."""
    host_port = _free_port()
    # docker-py takes (address, port); testcontainers' annotation knows only the port.
    container.ports[f"{port}/tcp"] = ("127.0.0.1", host_port)  # type: ignore[assignment]
    return container, host_port


def _postgres(network: Network) -> Service:
    container, port = _published(
        DockerContainer(image("POSTGRES"))
        .with_network(network)
        .with_envs(POSTGRES_USER=USER, POSTGRES_PASSWORD=PASSWORD, POSTGRES_DB=DATABASE)
        # Every e2e stack is seven services' pools, and a suite may run two stacks at once.
        .with_command(["postgres", "-c", "max_connections=200"]),
        5432,
    )
    url = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/{DATABASE}"
    return Service(container, url, _postgres_answers)


def _kafka(network: Network) -> Service:
    """A single KRaft broker. Clients on the host reach it at the port published for it,
    which it must advertise: so that port is chosen before the broker starts."""
    container, port = _published(DockerContainer(image("KAFKA")).with_network(network), 9092)
    container.with_envs(
        CLUSTER_ID="aG9zdHBsYW5lLXRlc3RzMQ",
        KAFKA_NODE_ID="1",
        KAFKA_PROCESS_ROLES="broker,controller",
        KAFKA_LISTENERS="PLAINTEXT://0.0.0.0:9092,CONTROLLER://localhost:9093",
        KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://127.0.0.1:{port}",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
        KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
        KAFKA_INTER_BROKER_LISTENER_NAME="PLAINTEXT",
        KAFKA_LOG_DIRS="/tmp/kraft-combined-logs",
        # As deploy/local's broker: the services create their topics, one replica each.
        KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS="10",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
        KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS="4",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
    )
    return Service(container, f"127.0.0.1:{port}", _kafka_answers)


def _redis(network: Network) -> Service:
    container, port = _published(DockerContainer(image("REDIS")).with_network(network), 6379)
    return Service(container, f"redis://127.0.0.1:{port}/0", _redis_answers)


def _reaper_image_present() -> bool:
    client = docker.from_env(timeout=10)
    try:
        client.images.get(testcontainers_config.ryuk_image)
    except docker.errors.ImageNotFound:
        return False
    finally:
        client.close()
    return True


@contextmanager
def running_containers() -> Iterator[Endpoints]:
    """Start PostgreSQL, Kafka and Redis containers, wait until each does its job, and
    remove them (and their network) afterwards."""
    # Ryuk removes what a killed session leaves behind; it is one more image to pull, so it
    # runs only where its image is at hand, unless TESTCONTAINERS_RYUK_DISABLED says.
    if "TESTCONTAINERS_RYUK_DISABLED" not in os.environ:
        testcontainers_config.ryuk_disabled = not _reaper_image_present()
    with ExitStack() as stack:
        network = stack.enter_context(Network())
        postgres, kafka, redis = _postgres(network), _kafka(network), _redis(network)
        # All three start at once; then each is waited for.
        for service in (postgres, kafka, redis):
            stack.enter_context(service.container)
        for service in (postgres, kafka, redis):
            _wait_until_ready(service)
        yield Endpoints(kafka.endpoint, postgres.endpoint, redis.endpoint)
