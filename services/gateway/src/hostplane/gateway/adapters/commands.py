"""Publishing commands to Kafka: keyed by the target aggregate, metadata in headers."""

import asyncio
from uuid import UUID, uuid4

from pydantic import BaseModel

from hostplane.contracts import envelope
from hostplane.contracts.telemetry import TelemetryBatch
from hostplane.contracts.topics import Topic
from hostplane.messaging.cloudevents import Headers, OutgoingEvent
from hostplane.messaging.commands import command_headers
from hostplane.messaging.observability import publishing
from hostplane.messaging.producer import Producer


class CommandBus:
    def __init__(self, producer: Producer, topic_prefix: str = "") -> None:
        self._producer = producer
        self._topic_prefix = topic_prefix

    async def send(
        self,
        topic: Topic,
        aggregate_id: UUID,
        command: BaseModel,
        correlation_id: str | None = None,
        command_id: UUID | None = None,
    ) -> UUID:
        """Publish a command once Kafka has it on all in-sync replicas; returns its job id.

        A caller that may send the same command twice passes a deterministic `command_id`:
        the owning service runs each job id once.
        """
        command_id = command_id or uuid4()
        headers = command_headers(command_id, correlation_id)
        await self._send(topic.name, str(aggregate_id), command.model_dump_json(), headers)
        return command_id

    async def submit(self, batch: TelemetryBatch) -> None:
        """Hand an instance's telemetry batch to Kafka, keyed by the instance."""
        await self._send(
            batch.topic.name,
            str(batch.instance_id),
            batch.model_dump_json(),
            [(envelope.CONTENT_TYPE, b"application/json")],
        )

    async def publish(self, event: OutgoingEvent) -> None:
        """Publish an event the gateway itself observed (CloudEvents headers)."""
        await self._send(
            event.payload.topic.name, str(event.aggregate_id), event.value, event.headers
        )

    async def reachable(self) -> bool:
        """Whether Kafka answers a metadata request within two seconds."""
        try:
            async with asyncio.timeout(2):
                await self._producer.fetch_metadata()
        except Exception:
            return False
        return True

    async def _send(self, topic: str, key: str, value: str | bytes, headers: Headers) -> None:
        name = self._topic_prefix + topic
        with publishing(name) as trace_headers:
            await self._producer.send_and_wait(
                name,
                value.encode() if isinstance(value, str) else value,
                key.encode(),
                headers + trace_headers,
            )
