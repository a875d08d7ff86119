"""The webhooks service as a process on the real Kafka and PostgreSQL, a database and a topic
prefix of its own per test module, a receiver to deliver to, and a clock the tests move."""

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from pydantic import BaseModel

from hostplane.contracts.commands.webhooks import CreateWebhookEndpoint
from hostplane.contracts.payload import EventPayload
from hostplane.contracts.secrets import SecretBox, new_key
from hostplane.contracts.topics import ALL_TOPICS, WEBHOOKS_COMMANDS
from hostplane.messaging.clock import FileClock
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.commands import command_headers
from hostplane.messaging.kafka import ensure_topics
from hostplane.messaging.producer import Producer
from hostplane.webhooks.domain.signing import new_secret
from services.webhooks.tests.component.receiver import Receiver, serving
from tests.conftest import ROOT, Infra, infra, wait_until
from tests.stack import drop_database, fresh_database

__all__ = ["infra"]

# How long a webhook about a customer not told of yet waits for it: far longer than any wait
# of a test, so one delivered without the clock moved past it did not wait.
OWNER_WAIT = timedelta(minutes=10)


@dataclass
class Service:
    database_url: str
    kafka: str
    prefix: str
    box: SecretBox
    clock_file: Path
    receiver: Receiver
    # Where the last record published lands: its tracking stream, and the offset after it.
    last_position: tuple[str, int] = ("", 0)

    @property
    def clock(self) -> FileClock:
        return FileClock(str(self.clock_file))

    def move_clock(self, by: timedelta) -> None:
        """Every reader of the clock file is `by` later than before."""
        text = self.clock_file.read_text().strip() or "+0"
        self.clock_file.write_text(f"+{float(text) + by.total_seconds()}")

    def publish(self, topic: str, value: bytes, key: bytes, headers: Any) -> str:
        """Publish a record; its position, as the service's tracking names it once consumed
        (`<topic>:<partition>`, and the offset after it)."""

        async def send() -> Any:
            producer = Producer(self.kafka, "webhooks-tests")
            await producer.start()
            try:
                return await producer.send_and_wait(self.prefix + topic, value, key, headers)
            finally:
                await producer.stop()

        sent = asyncio.run(send())
        self.last_position = (f"{sent.topic}:{sent.partition}", sent.offset + 1)
        return self.last_position[0]

    def event(self, payload: EventPayload, aggregate_id: UUID, version: int) -> None:
        """Publish a Hostplane event as its service's outbox relay would."""
        out = OutgoingEvent(payload, aggregate_id, version, source="tests")
        self.publish(out.topic.name, out.value, out.key, out.headers)

    def consumed(self) -> bool:
        """Whether the service has consumed the last record published."""
        stream, next_offset = self.last_position
        row = self.row("SELECT next_offset FROM tracking WHERE stream = %s", stream)
        return row is not None and row[0] >= next_offset

    def command(self, command: BaseModel, key: UUID, command_id: UUID | None = None) -> UUID:
        command_id = command_id or uuid.uuid4()
        self.publish(
            WEBHOOKS_COMMANDS.name,
            command.model_dump_json().encode(),
            str(key).encode(),
            command_headers(command_id),
        )
        return command_id

    def endpoint(self, events: list[str], path: str | None = None) -> tuple[UUID, str, str]:
        """Create an endpoint at a path of the receiver; returns its id, path and secret."""
        endpoint_id = uuid.uuid4()
        path = path or f"/{endpoint_id}"
        secret = new_secret()
        self.receiver.secrets[path] = [secret]
        self.command(
            CreateWebhookEndpoint(
                endpoint_id=endpoint_id,
                url=self.receiver.url + path,
                events=events,
                secret=self.box.seal(secret),
            ),
            endpoint_id,
        )
        wait_until(lambda: self.row("SELECT 1 FROM endpoints WHERE id = %s", endpoint_id), 30)
        return endpoint_id, path, secret

    def row(self, query: str, *params: object) -> tuple[Any, ...] | None:
        with psycopg.connect(self.database_url, options="-c search_path=webhooks") as conn:
            return conn.execute(query, params).fetchone()

    def rows(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url, options="-c search_path=webhooks") as conn:
            return conn.execute(query, params).fetchall()


@pytest.fixture(scope="module")
def service(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    run_id = uuid.uuid4().hex[:8]
    database = f"hostplane_webhooks_{run_id}"
    database_url = fresh_database(infra.database_url, database)
    prefix = f"webhooks-{run_id}."
    asyncio.run(ensure_topics(infra.kafka_bootstrap_servers, ALL_TOPICS, prefix))
    clock_file = tmp_path_factory.mktemp("clock") / "clock"
    clock_file.write_text("+0")
    key = new_key()
    logs = ROOT / ".local" / "logs" / "webhooks-component"
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "TOPIC_PREFIX": prefix,
        "CONFIG_SECRETS_KEY": key,
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "WEBHOOKS_CLOCK_FILE": str(clock_file),
        "WEBHOOKS_POLL_S": "0.2",
        "WEBHOOKS_TIMEOUT_S": "5",
        # Nothing goes out for having waited for its customer unless a test moves the clock.
        "WEBHOOKS_OWNER_WAIT_S": str(OWNER_WAIT.total_seconds()),
        "LOG_FORMAT": "text",
        "METRICS_PORT": "0",
    }
    receiver = Receiver(now=FileClock(str(clock_file)).now)
    with serving(receiver), (logs / f"{run_id}.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hostplane.webhooks"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        service = Service(
            database_url,
            infra.kafka_bootstrap_servers,
            prefix,
            SecretBox(key),
            clock_file,
            receiver,
        )
        try:
            wait_until(
                lambda: service.row("SELECT to_regclass('webhooks.deliveries')") != (None,),
                60,
                0.2,
                what="the webhooks schema",
            )
            yield service
        finally:
            process.terminate()
            process.wait(timeout=20)
            drop_database(infra.database_url, database)
