"""The support service as a process on the real Kafka and PostgreSQL, with a database and a
topic prefix of its own per test module; commands sent as the gateway sends them, and what
the service published read back from Kafka."""

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from hostplane.contracts import envelope
from hostplane.contracts.commands import support as commands
from hostplane.contracts.topics import (
    ALL_TOPICS,
    JOB_EVENTS,
    SUPPORT_COMMANDS,
    SUPPORT_EVENTS,
    Topic,
)
from hostplane.messaging.cloudevents import header
from hostplane.messaging.commands import command_headers
from hostplane.messaging.kafka import ensure_topics
from hostplane.messaging.producer import Producer
from tests.conftest import ROOT, Infra, infra, wait_until
from tests.stack import drop_database, fresh_database

__all__ = ["infra"]


@dataclass(frozen=True)
class Published:
    ce_type: str
    subject: str
    value: bytes


@dataclass
class Service:
    database_url: str
    kafka: str
    prefix: str

    def command(self, command: commands.SupportCommand, command_id: UUID | None = None) -> UUID:
        """Send a command keyed by its ticket, as the gateway does; its job id."""
        command_id = command_id or uuid.uuid4()

        async def send() -> None:
            producer = Producer(self.kafka, "support-tests")
            await producer.start()
            try:
                await producer.send_and_wait(
                    self.prefix + SUPPORT_COMMANDS.name,
                    command.model_dump_json().encode(),
                    str(command.ticket_id).encode(),
                    command_headers(command_id),
                )
            finally:
                await producer.stop()

        asyncio.run(send())
        return command_id

    def published(self, topic: Topic) -> list[Published]:
        """Every record on the topic so far, each partition's in order."""

        async def read() -> list[Published]:
            consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka, enable_auto_commit=False)
            await consumer.start()
            try:
                name = self.prefix + topic.name
                partitions = [TopicPartition(name, p) for p in range(topic.partitions)]
                consumer.assign(partitions)
                await consumer.seek_to_beginning(*partitions)
                ends = await consumer.end_offsets(partitions)
                found: list[Published] = []
                for tp in partitions:
                    while await consumer.position(tp) < ends[tp]:
                        batch = await consumer.getmany(tp, timeout_ms=1000)
                        for record in batch.get(tp, []):
                            found.append(
                                Published(
                                    header(record.headers, envelope.CE_TYPE) or "",
                                    header(record.headers, envelope.CE_SUBJECT) or "",
                                    record.value,
                                )
                            )
                return found
            finally:
                await consumer.stop()

        return asyncio.run(read())

    def ticket_events(self, ticket_id: UUID) -> list[Published]:
        return [p for p in self.published(SUPPORT_EVENTS) if p.subject == str(ticket_id)]

    def job(self, job_id: UUID) -> list[str]:
        """The types of the job's events published so far."""
        return [p.ce_type for p in self.published(JOB_EVENTS) if p.subject == str(job_id)]

    def finished(self, job_id: UUID) -> str:
        """The job's outcome (`job.succeeded` or `job.failed`), once published."""
        done = {"job.succeeded", "job.failed"}
        kinds = wait_until(
            lambda: [k for k in self.job(job_id) if k in done], 60, 0.2, what="the job"
        )
        return kinds[0]

    def rows(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as conn:
            return conn.execute(query, params).fetchall()


@pytest.fixture(scope="module")
def service(infra: Infra) -> Iterator[Service]:
    run_id = uuid.uuid4().hex[:8]
    database = f"hostplane_support_{run_id}"
    database_url = fresh_database(infra.database_url, database)
    prefix = f"support-{run_id}."
    asyncio.run(ensure_topics(infra.kafka_bootstrap_servers, ALL_TOPICS, prefix))
    logs = ROOT / ".local" / "logs" / "support-component"
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "TOPIC_PREFIX": prefix,
        "SUPPORT_ATTACHMENT_MAX_BYTES": "4096",
        "SUPPORT_ATTACHMENT_MAX_COUNT": "2",
        "LOG_FORMAT": "text",
        "METRICS_PORT": "0",
    }
    with (logs / f"{run_id}.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hostplane.support"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        service = Service(database_url, infra.kafka_bootstrap_servers, prefix)
        try:
            wait_until(
                lambda: service.rows("SELECT to_regclass('support.attachments')") != [(None,)],
                60,
                0.2,
                what="the support schema",
            )
            yield service
        finally:
            process.terminate()
            process.wait(timeout=20)
            drop_database(infra.database_url, database)
