"""The producer every service uses: idempotent, acks from all in-sync replicas, renewed when
the broker stops accepting its session."""

import asyncio
import logging
from collections.abc import Awaitable

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    OutOfOrderSequenceNumber,
    UnknownProducerId,
)
from aiokafka.structs import RecordMetadata

from hostplane.messaging.cloudevents import Headers

log = logging.getLogger(__name__)

# An idempotent producer numbers its batches per partition. When a broker restart loses a
# batch it had sent, the broker refuses every later number on that partition, for good:
# only a new producer (a new producer id) can send there again. A refused batch was not
# written, so sending it again doubles nothing.
SESSION_LOST = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
)


class Producer:
    def __init__(self, bootstrap_servers: str, client_id: str) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._producer = self._new()
        self._renewing = asyncio.Lock()
        self._retiring: set[asyncio.Task[None]] = set()

    def _new(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=1,
            request_timeout_ms=15_000,
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await asyncio.gather(*self._retiring)
        await self._producer.stop()

    async def fetch_metadata(self) -> None:
        """Ask the broker for the cluster's metadata (a reachability check)."""
        await self._producer.client.fetch_all_metadata()

    async def send(
        self, topic: str, value: bytes, key: bytes, headers: Headers
    ) -> asyncio.Future[RecordMetadata]:
        """Queue a message; the future returned resolves once Kafka has it."""
        producer = self._producer
        delivery = await producer.send(topic, value=value, key=key, headers=headers)
        return asyncio.ensure_future(
            self._delivered(producer, delivery, topic, value, key, headers)
        )

    async def send_and_wait(
        self, topic: str, value: bytes, key: bytes, headers: Headers
    ) -> RecordMetadata:
        producer = self._producer
        delivery = await producer.send(topic, value=value, key=key, headers=headers)
        return await self._delivered(producer, delivery, topic, value, key, headers)

    async def _delivered(
        self,
        producer: AIOKafkaProducer,
        delivery: Awaitable[RecordMetadata],
        topic: str,
        value: bytes,
        key: bytes,
        headers: Headers,
    ) -> RecordMetadata:
        try:
            return await delivery
        except SESSION_LOST as error:
            await self._renew(producer, error)
        # Once, with the new producer: a second refusal is the caller's to retry.
        return await (await self._producer.send(topic, value=value, key=key, headers=headers))

    async def _renew(self, failed: AIOKafkaProducer, error: Exception) -> None:
        async with self._renewing:
            if self._producer is not failed:
                return  # another send found out first
            log.warning("Kafka refused the producer's session (%r); starting a new one", error)
            fresh = self._new()
            await fresh.start()
            self._producer = fresh
        # The old one still delivers what it holds for other partitions, then closes.
        retiring = asyncio.create_task(failed.stop())
        self._retiring.add(retiring)
        retiring.add_done_callback(self._retiring.discard)
