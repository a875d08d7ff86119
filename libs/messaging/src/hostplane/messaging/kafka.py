"""Kafka plumbing: topics, the idempotent producer, and consumers that resume from tracking."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from functools import partial, wraps
from typing import Any
from weakref import WeakKeyDictionary

from aiokafka import ConsumerRebalanceListener, TopicPartition
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

from hostplane.contracts import envelope
from hostplane.contracts.topics import Topic
from hostplane.messaging.cloudevents import header
from hostplane.messaging.eventstore import (
    Position,
    TrackedApplication,
    stream_name,
    version_stream,
)
from hostplane.messaging.observability import consuming
from hostplane.messaging.producer import Producer

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


def make_producer(bootstrap_servers: str, client_id: str) -> Producer:
    """The producer every service uses (see `Producer`)."""
    return Producer(bootstrap_servers, client_id)


def record_position(record: Any, consumer: str = "") -> Position:
    """The topic, partition and offset of a consumed record, and the event version it carries."""
    return Position(record.topic, record.partition, record.offset, consumer, _version(record))


def batch_position(records: list[Any], consumer: str = "") -> Position:
    """The position of a partition's last record, carrying the versions of all of them."""
    last = records[-1]
    versions = tuple(v for record in records for v in _version(record))
    return Position(last.topic, last.partition, last.offset, consumer, versions)


def _version(record: Any) -> tuple[tuple[str, int], ...]:
    """(aggregate id, version) of a CloudEvent record; nothing for a command."""
    subject = header(record.headers, envelope.CE_SUBJECT)
    sequence = header(record.headers, envelope.CE_SEQUENCE)
    if not subject or not sequence or not sequence.isdigit():
        return ()
    return ((subject, int(sequence)),)


def by_partition(message: KafkaMessage) -> list[list[Any]]:
    """A batch's records per partition, each partition's in order."""
    partitions: dict[tuple[str, int], list[Any]] = {}
    for record in message.raw_message:
        partitions.setdefault((record.topic, record.partition), []).append(record)
    return list(partitions.values())


def unprocessed(app: TrackedApplication, message: KafkaMessage, consumer: str) -> list[list[Any]]:
    """A batch's records per partition, in order, without those `consumer` has handled.

    Handled means: at an offset already passed, or an event whose version of its aggregate
    was already applied (published again, it arrives at a later offset).
    """
    return [fresh for _, fresh in _pending(app, message, consumer) if fresh]


def _pending(
    app: TrackedApplication, message: KafkaMessage, consumer: str
) -> list[tuple[list[Any], list[Any]]]:
    """Per partition: its records from the tracked offset on, and those of them first seen.

    One look-up serves the whole batch: every partition's position and every aggregate's
    applied version.
    """
    partitions = [
        (records, stream_name(records[0].topic, records[0].partition, consumer))
        for records in by_partition(message)
    ]
    versions = {
        version_stream(record.topic, subject, consumer)
        for records, _ in partitions
        for record in records
        for subject, _ in _version(record)
    }
    tracked = app.tracked_positions([stream for _, stream in partitions] + sorted(versions))
    pending = []
    for records, stream in partitions:
        resume = tracked.get(stream) or 0
        unread = [record for record in records if record.offset >= resume]
        if unread:
            pending.append((unread, first_seen(unread, consumer, tracked)))
    return pending


def first_seen(records: list[Any], consumer: str, applied: dict[str, int]) -> list[Any]:
    """`records` without the events whose aggregate version `consumer` has already applied
    (as `applied` says, or earlier in these records, which it then notes)."""
    fresh = []
    for record in records:
        stale = False
        for subject, version in _version(record):
            stream = version_stream(record.topic, subject, consumer)
            stale = stale or (stream in applied and version <= applied[stream])
            applied[stream] = max(version, applied.get(stream, version))
        if stale:
            log.info(
                "skipping %s:%s@%s: its event was applied before (published again)",
                record.topic,
                record.partition,
                record.offset,
            )
        else:
            fresh.append(record)
    return fresh


class ResumeFromTracking(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, seek each partition to the position stored with the last effect.

    Committed offsets are only a hint; the tracking records written in the same transaction
    as the effects are the truth, so a consumer never skips or repeats an effect.
    """

    def __init__(self, next_offset: Callable[[str, int], int | None], group_id: str = "") -> None:
        self._next_offset = next_offset
        self.consumer: Callable[[], Any] = lambda: None
        self.group_id = group_id
        # Joined its group and sought its share (maybe none) to the stored positions; false
        # again while a rebalance moves partitions (readiness, `hostplane.messaging.health`).
        self.assigned = False

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.assigned = False

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
        self.assigned = True


# Each broker's consumers, so readiness can tell whether every one has got its assignment.
_LISTENERS: WeakKeyDictionary[KafkaBroker, list[ResumeFromTracking]] = WeakKeyDictionary()


def rebalance_listeners(broker: KafkaBroker) -> list[ResumeFromTracking]:
    """The listeners of `broker`'s tracked consumers, one per subscriber."""
    return list(_LISTENERS.get(broker, []))


def unassigned_groups(broker: KafkaBroker) -> list[str]:
    """The groups of `broker`'s tracked consumers still waiting for their assignment."""
    return [listener.group_id for listener in rebalance_listeners(broker) if not listener.assigned]


def tracked_subscriber(
    broker: KafkaBroker,
    *topics: str,
    group_id: str,
    next_offset: Callable[[str, int], int | None],
    max_poll_interval_ms: int = 5 * 60 * 1000,
    max_records: int = 500,
) -> Callable[[Handler], Handler]:
    """A batch subscriber that commits after each batch, retries it, and resumes from tracking.

    The handler gets every record fetched at once (`handle_records` runs each partition's in
    order, partitions in parallel), so the cost of consuming, acknowledging and committing is
    paid per batch, not per record.
    """

    def register(handler: Handler) -> Handler:
        listener = ResumeFromTracking(next_offset, group_id)
        _LISTENERS.setdefault(broker, []).append(listener)
        subscriber = broker.subscriber(
            *topics,
            group_id=group_id,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            auto_offset_reset="earliest",
            listener=listener,
            max_poll_interval_ms=max_poll_interval_ms,
            # Members learn of a rebalance at their next heartbeat: keep joins quick. A member
            # killed without leaving holds its partitions until its session expires: the
            # broker's shortest allowed session, so the others take them over within 6 s.
            heartbeat_interval_ms=250,
            session_timeout_ms=SESSION_TIMEOUT_MS,
            batch=True,
            max_records=max_records,
            # After a fetch that found nothing FastStream pauses this long before the next:
            # what a record arriving meanwhile waits, at most.
            batch_timeout_ms=BATCH_WAIT_MS,
        )
        subscriber(_backing_off(handler))
        listener.consumer = partial(getattr, subscriber, "consumer")
        return handler

    return register


BATCH_WAIT_MS = 20
SESSION_TIMEOUT_MS = 6000


FAILURE_BACKOFF_S = 1.0


def _backing_off(handler: Handler) -> Handler:
    """A failed batch is retried (NACK), after a pause rather than in a hot loop."""

    @wraps(handler)
    async def guarded(message: KafkaMessage) -> None:
        try:
            await handler(message)
        except Exception:
            records = message.raw_message
            where = record_position(records[0]) if records else "an empty batch"
            log.exception("handling a batch from %s failed; it will be retried", where)
            await asyncio.sleep(FAILURE_BACKOFF_S)
            raise

    return guarded


# Handles one record at its position: stores its effect with `save_tracked(...,
# position=position)` and returns True, or returns False for a record not meant for it.
RecordHandler = Callable[[Any, Position], bool]


async def handle_records(
    app: TrackedApplication, message: KafkaMessage, handle: RecordHandler
) -> None:
    """Every record of a batch not yet handled, each partition's in order in a thread.

    A redelivered record changes nothing: its effect was stored with its position, and the
    partition resumes after it; an event published twice is recognised by its aggregate
    version. A partition whose last record was skipped or not meant for `handle` keeps that
    record's position, so it is not read again.
    """
    partitions = await asyncio.to_thread(_pending, app, message, "")
    await asyncio.gather(
        *(asyncio.to_thread(_in_order, app, *partition, handle) for partition in partitions)
    )


def _in_order(
    app: TrackedApplication, records: list[Any], fresh: list[Any], handle: RecordHandler
) -> None:
    stored = False
    for record in fresh:
        position = record_position(record)
        with consuming(record):
            stored = _once(app, position, partial(handle, record, position))
    if not (fresh and stored and fresh[-1] is records[-1]):
        app.process_recorder.insert_tracking(record_position(records[-1]).tracking)


# Handles a run of consecutive records of one partition together: stores their effects with
# one `save_tracked(..., position=position)`, `position` being the run's last record's.
RunHandler = Callable[[list[Any], Position], bool]

RUN_MAX = 200


async def handle_record_runs(
    app: TrackedApplication,
    message: KafkaMessage,
    handle: RecordHandler,
    handle_run: RunHandler,
    joins: Callable[[Any], bool],
) -> None:
    """As `handle_records`, but consecutive records that `joins` accepts (up to `RUN_MAX`)
    are handled as one run, in one transaction: work that comes in bulk (a renewal run) pays
    for one save, not one per record. A run that loses a race is handled again as a whole.
    """
    partitions = await asyncio.to_thread(_pending, app, message, "")

    def in_runs(records: list[Any], fresh: list[Any]) -> None:
        stored = False
        for run in _runs(fresh, joins):
            if len(run) == 1 and not joins(run[0]):
                position = record_position(run[0])
                with consuming(run[0]):
                    stored = _once(app, position, partial(handle, run[0], position))
            else:
                position = batch_position(run)
                with consuming(run[-1]):
                    stored = _once(app, position, partial(handle_run, run, position))
        if not (fresh and stored and fresh[-1] is records[-1]):
            app.process_recorder.insert_tracking(record_position(records[-1]).tracking)

    await asyncio.gather(
        *(asyncio.to_thread(in_runs, records, fresh) for records, fresh in partitions)
    )


def _runs(records: list[Any], joins: Callable[[Any], bool]) -> list[list[Any]]:
    """`records` cut into runs of consecutive joining records and single others."""
    runs: list[list[Any]] = []
    for record in records:
        if joins(record) and runs and joins(runs[-1][-1]) and len(runs[-1]) < RUN_MAX:
            runs[-1].append(record)
        else:
            runs.append([record])
    return runs


def _once(app: TrackedApplication, position: Position, run: Callable[[], bool]) -> bool:
    """Run a handler; after losing a race on an aggregate, again unless it was done meanwhile.

    Another subscriber may save the same aggregate; the handler then runs again on the fresh
    state (its provider calls are safe to repeat).
    """
    attempt = 1
    while True:
        try:
            return run()
        except IntegrityError:
            if attempt == CONFLICT_RETRIES:
                raise
            attempt += 1
            log.info("%s@%s: concurrent update, retrying", position.stream, position.offset)
            if app.has_processed(position):
                return True


async def handle_at(
    app: TrackedApplication, position: Position, handle: Callable[[Position], None]
) -> None:
    """Run a blocking handler for a position (a batch's last record) unless it was done."""

    def run() -> bool:
        handle(position)
        return True

    def once() -> None:
        if app.has_processed(position):
            log.debug("skipping %s@%s: already processed", position.stream, position.offset)
            return
        _once(app, position, run)

    await asyncio.to_thread(once)
