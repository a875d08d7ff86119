"""Kafka plumbing: topics, the idempotent producer, and consumers that resume from tracking."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from functools import partial, wraps
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from eventsourcing.persistence import IntegrityError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

from hostplane.contracts.topics import Topic
from hostplane.messaging.eventstore import Position, TrackedApplication

log = logging.getLogger(__name__)

Handler = Callable[[KafkaMessage], Awaitable[None]]

# Optimistic concurrency: how often a handler re-runs after losing a race on an aggregate.
CONFLICT_RETRIES = 5


async def ensure_topics(bootstrap_servers: str, topics: Iterable[Topic], prefix: str = "") -> None:
    """Create missing topics with their explicit partition counts (auto-create is off).

    A service starting while the broker is still coming up waits for it (up to two minutes).
    """
    async for attempt in AsyncRetrying(
        wait=wait_exponential(multiplier=0.2, max=5),
        stop=stop_after_delay(120),
        retry=retry_if_exception_type(KafkaError),
        before_sleep=lambda state: log.warning("waiting for Kafka at %s", bootstrap_servers),
        reraise=True,
    ):
        with attempt:
            await _create_missing(bootstrap_servers, topics, prefix)


async def _create_missing(bootstrap_servers: str, topics: Iterable[Topic], prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=prefix + t.name, num_partitions=t.partitions, replication_factor=1)
            for t in topics
            if prefix + t.name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another service was first
                await admin.create_topics(missing)
    finally:
        await admin.close()


def make_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    """The producer every service uses: idempotent, acks from all in-sync replicas."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=1,
        request_timeout_ms=15_000,
    )


def position_of(message: KafkaMessage) -> Position:
    """The topic, partition and offset of a consumed message."""
    return record_position(message.raw_message)


def record_position(record: Any, consumer: str = "") -> Position:
    return Position(record.topic, record.partition, record.offset, consumer)


def unprocessed(app: TrackedApplication, message: KafkaMessage, consumer: str) -> list[list[Any]]:
    """A batch's records per partition, in order, without those `consumer` has handled."""
    by_partition: dict[tuple[str, int], list[Any]] = {}
    for record in message.raw_message:
        by_partition.setdefault((record.topic, record.partition), []).append(record)
    pending = []
    for (topic, partition), records in by_partition.items():
        resume = app.next_offset(topic, partition, consumer) or 0
        fresh = [record for record in records if record.offset >= resume]
        if fresh:
            pending.append(fresh)
    return pending


class ResumeFromTracking(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, seek each partition to the position stored with the last effect.

    Committed offsets are only a hint; the tracking records written in the same transaction
    as the effects are the truth, so a consumer never skips or repeats an effect.
    """

    def __init__(self, next_offset: Callable[[str, int], int | None]) -> None:
        self._next_offset = next_offset
        self.consumer: Callable[[], Any] = lambda: None

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        consumer = self.consumer()
        if consumer is None:
            return
        for partition in assigned:
            offset = await asyncio.to_thread(
                self._next_offset, partition.topic, partition.partition
            )
            if offset is not None:
                consumer.seek(partition, offset)


def tracked_subscriber(
    broker: KafkaBroker,
    *topics: str,
    group_id: str,
    next_offset: Callable[[str, int], int | None],
    max_poll_interval_ms: int = 5 * 60 * 1000,
    consumers: int = 1,
    batch: bool = False,
) -> Callable[[Handler], Handler]:
    """A subscriber that commits after each effect, retries failures, and resumes from tracking.

    With `consumers` > 1 the group gets that many consumers, so partitions are handled in
    parallel while each partition (and so each aggregate) stays in order. With `batch` the
    handler gets every record fetched at once (`unprocessed` sorts them by partition).
    """

    def register(handler: Handler) -> Handler:
        guarded = _backing_off(handler)
        for _ in range(consumers):
            listener = ResumeFromTracking(next_offset)
            subscriber = broker.subscriber(
                *topics,
                group_id=group_id,
                ack_policy=AckPolicy.NACK_ON_ERROR,
                auto_offset_reset="earliest",
                listener=listener,
                max_poll_interval_ms=max_poll_interval_ms,
                # Members learn of a rebalance at their next heartbeat: keep joins quick.
                heartbeat_interval_ms=250,
                batch=batch,
                max_records=500 if batch else None,
            )
            subscriber(guarded)
            listener.consumer = partial(getattr, subscriber, "consumer")
        return handler

    return register


FAILURE_BACKOFF_S = 1.0


def _backing_off(handler: Handler) -> Handler:
    """A failed message is retried (NACK), after a pause rather than in a hot loop."""

    @wraps(handler)
    async def guarded(message: KafkaMessage) -> None:
        try:
            await handler(message)
        except Exception:
            log.exception("handling %s failed; it will be retried", position_of(message))
            await asyncio.sleep(FAILURE_BACKOFF_S)
            raise

    return guarded


async def handle_once(
    app: TrackedApplication, message: KafkaMessage, handle: Callable[[Position], None]
) -> None:
    """Run a blocking handler for a message unless its effect is already stored.

    `handle` must store its effects with `save_tracked(..., position=position)`. Another
    subscriber may save the same aggregate meanwhile; the handler then runs again on the
    fresh state (its provider calls are safe to repeat).
    """
    await handle_at(app, position_of(message), handle)


async def handle_at(
    app: TrackedApplication, position: Position, handle: Callable[[Position], None]
) -> None:
    """`handle_once` for a position of one's choosing (the last record of a batch)."""

    def run() -> None:
        for attempt in range(1, CONFLICT_RETRIES + 1):
            if app.has_processed(position):
                log.debug("skipping %s@%s: already processed", position.stream, position.offset)
                return
            try:
                handle(position)
            except IntegrityError:
                if attempt == CONFLICT_RETRIES:
                    raise
                log.info("%s@%s: concurrent update, retrying", position.stream, position.offset)
            else:
                return

    await asyncio.to_thread(run)
