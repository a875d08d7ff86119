"""An `eventsourcing` Application whose saves can carry the Kafka position they consume.

A save records, in the transaction that stores its events, the partition offset it consumed
and the version of the source aggregate whose event it applied. The offset makes a redelivered
message a no-op; the version does the same for an event published twice (an outbox relay's
batch in flight when another relay took over) that arrives again at a later offset.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import Mapper, ProcessRecorder, Recording, StoredEvent, Tracking
from eventsourcing.popo import POPOProcessRecorder
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from eventsourcing.utils import Environment, get_topic
from psycopg import sql
from psycopg.rows import DictRow
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from hostplane.messaging.leadership import lock_key
from hostplane.messaging.observability import current_traceparent
from hostplane.messaging.settings import InfraSettings

# Where a stored event keeps the trace it was recorded in (never part of the domain event).
TRACE_KEY = "_traceparent"


@dataclass(frozen=True)
class Position:
    """Where a consumed Kafka message sits; stored as a tracking record."""

    topic: str
    partition: int
    offset: int
    # Names a second subscriber of the same topic within one service: it tracks apart.
    consumer: str = ""
    # (aggregate id, version) of the events whose effect is stored with this position.
    versions: tuple[tuple[str, int], ...] = ()

    @property
    def tracking(self) -> Tracking:
        # notification_id is the next offset to read, so "seek to it" resumes exactly.
        return Tracking(application_name=self.stream, notification_id=self.offset + 1)

    @property
    def stream(self) -> str:
        return stream_name(self.topic, self.partition, self.consumer)

    @property
    def applied(self) -> list[Tracking]:
        """The newest version applied of each source aggregate, as tracking records."""
        newest: dict[str, int] = {}
        for subject, version in self.versions:
            newest[subject] = max(version, newest.get(subject, 0))
        return [
            Tracking(version_stream(self.topic, subject, self.consumer), version)
            for subject, version in newest.items()
        ]


def stream_name(topic: str, partition: int, consumer: str = "") -> str:
    """The tracking records' name for a partition as one subscriber consumes it."""
    return f"{topic}:{partition}" + (f"@{consumer}" if consumer else "")


def version_stream(topic: str, subject: str, consumer: str = "") -> str:
    """The tracking records' name for the versions of one aggregate a subscriber applied."""
    return f"{topic}" + (f"@{consumer}" if consumer else "") + f"#{subject}"


# Keyword under which a save passes the versions it applied down to the recorder.
APPLIED = "applied"


class VersionTrackingRecorder(PostgresProcessRecorder):
    """Also records the source versions a save applied, in the same transaction.

    Versions use the single-row tracking table: a version not newer than the one recorded is
    refused, so two saves of one event's effect can never both commit.
    """

    def _insert_events(
        self, curs: psycopg.Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        for applied in kwargs.get(APPLIED, ()):
            self._insert_tracking(curs, applied)
        super()._insert_events(curs, stored_events, **kwargs)

    def latest(self, names: Sequence[str]) -> dict[str, int]:
        """The recorded position of each of `names` that has one."""
        if not names:
            return {}
        statement = sql.SQL(
            "SELECT application_name, notification_id FROM {}.{} WHERE application_name = ANY(%s)"
        ).format(sql.Identifier(self.datastore.schema), sql.Identifier(self.tracking_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (list(names),))
            return {row["application_name"]: row["notification_id"] for row in curs.fetchall()}

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of the aggregates have events, in one look-up."""
        if not originator_ids:
            return set()
        statement = sql.SQL(
            "SELECT DISTINCT originator_id FROM {}.{} WHERE originator_id = ANY(%s)"
        ).format(sql.Identifier(self.datastore.schema), sql.Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (list(originator_ids),))
            return {row["originator_id"] for row in curs.fetchall()}


class InMemoryVersionTrackingRecorder(POPOProcessRecorder):
    """`VersionTrackingRecorder` for tests in memory."""

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        for applied in kwargs.get(APPLIED, ()):
            self._assert_tracking_uniqueness(applied)

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        ids = super()._update_table(stored_events, **kwargs)
        for applied in kwargs.get(APPLIED, ()):
            self._insert_tracking(applied)
        return ids

    def latest(self, names: Sequence[str]) -> dict[str, int]:
        with self._database_lock:
            known = {name: self._max_tracking_ids.get(name) for name in names}
        return {name: version for name, version in known.items() if version is not None}

    def existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        with self._database_lock:
            return {i for i in originator_ids if self._stored_events_index.get(str(i))}


# A service starting while PostgreSQL is still coming up waits for it (up to two minutes).
until_database_answers = retry(
    retry=retry_if_exception_type(psycopg.OperationalError),
    wait=wait_exponential(multiplier=0.2, max=5),
    stop=stop_after_delay(120),
    reraise=True,
)


@until_database_answers
def event_store_env(settings: InfraSettings, schema: str) -> dict[str, str]:
    """The `eventsourcing` environment of a service keeping its events in `schema`; in
    PostgreSQL, the schema is made first unless it is set up externally (in memory there is
    nothing to make)."""
    if settings.event_store == "postgresql" and settings.creates_schema:
        ensure_schema(settings.database_url, schema)
    return settings.eventsourcing_env(schema)


@until_database_answers
def create_event_store(database_url: str, schema: str) -> None:
    """Create the schema and the tables of the event store an Application named `schema`
    keeps there (`python -m hostplane.schema`), without starting the Application."""
    ensure_schema(database_url, schema)
    env = InfraSettings(database_url=database_url).eventsourcing_env(schema, pool_size=1)
    factory = PostgresFactory(
        Environment(
            schema,
            env
            | {"CREATE_TABLE": "y", "PROCESS_RECORDER_TOPIC": get_topic(VersionTrackingRecorder)},
        )
    )
    key = lock_key(f"schema:{schema}")  # as services starting at that moment take it
    with factory.datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            factory.process_recorder()
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
    factory.close()


def ensure_schema(database_url: str, schema: str) -> None:
    """Create the service's schema if it is missing (the recorder creates its tables).

    Replicas starting together take turns: concurrent `IF NOT EXISTS` can still collide.
    """
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(f"schema:{schema}"),))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


class TracingMapper(Mapper[Any]):
    """Stores the active trace with each event, so its publication continues that trace."""

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        traceparent = current_traceparent()
        if traceparent is None:
            return super().to_stored_event(domain_event)
        traced = object.__new__(type(domain_event))
        object.__setattr__(traced, "__dict__", {**vars(domain_event), TRACE_KEY: traceparent})
        return super().to_stored_event(traced)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        return self.to_traced_event(stored_event)[0]

    def to_traced_event(
        self, stored_event: StoredEvent
    ) -> tuple[DomainEventProtocol[Any], str | None]:
        """The domain event and the `traceparent` it was recorded under."""
        domain_event = super().to_domain_event(stored_event)
        traceparent: str | None = vars(domain_event).pop(TRACE_KEY, None)
        return domain_event, traceparent


class TrackedApplication(Application[Any]):
    """Application on a process recorder: events and consumed positions in one transaction."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        self._save_listeners: list[Callable[[], None]] = []

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Any:
        return super().construct_env(
            name, {"PROCESS_RECORDER_TOPIC": get_topic(VersionTrackingRecorder), **(env or {})}
        )

    def construct_recorder(self) -> ProcessRecorder:
        if not isinstance(self.factory, PostgresFactory):
            return InMemoryVersionTrackingRecorder()
        if not self.factory.env_create_table():
            return self.factory.process_recorder()  # the tables were made beforehand
        # Replicas starting together create the same tables: one at a time.
        key = lock_key(f"schema:{self.schema}")
        with self.factory.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                return self.factory.process_recorder()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    @property
    def schema(self) -> str:
        """Where the events are kept (names this service's outbox lead)."""
        return self.env.get("POSTGRES_SCHEMA") or type(self).__name__.lower()

    @property
    def notify_channel(self) -> str | None:
        """The channel the event store NOTIFYs when it stores events (PostgreSQL only)."""
        channel = getattr(self.recorder, "channel_name", None)
        return channel if isinstance(channel, str) else None

    def construct_mapper(self) -> TracingMapper:
        mapper = self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=TracingMapper
        )
        assert isinstance(mapper, TracingMapper)
        return mapper

    @property
    def traced_mapper(self) -> TracingMapper:
        assert isinstance(self.mapper, TracingMapper)
        return self.mapper

    def on_saved(self, listener: Callable[[], None]) -> None:
        """Call `listener` (from the saving thread) whenever new events were stored."""
        self._save_listeners.append(listener)

    def _notify(self, recordings: list[Recording[Any]]) -> None:
        if recordings:
            for listener in self._save_listeners:
                listener()

    @property
    def process_recorder(self) -> ProcessRecorder:
        assert isinstance(self.recorder, ProcessRecorder)
        return self.recorder

    def has_processed(self, position: Position) -> bool:
        """Whether the message at this position, or the event it carries, had its effect."""
        return any(
            self.process_recorder.has_tracking_id(t.application_name, t.notification_id)
            for t in (position.tracking, *position.applied)
        )

    def existing(self, aggregate_ids: Iterable[UUID]) -> set[UUID]:
        """Which of the aggregates exist (have stored events), in one look-up."""
        recorder = self.process_recorder
        assert isinstance(recorder, VersionTrackingRecorder | InMemoryVersionTrackingRecorder)
        return recorder.existing(list(aggregate_ids))

    def tracked_positions(self, streams: Iterable[str]) -> dict[str, int]:
        """What is recorded for each of `streams` that has a record, in one look-up: the next
        offset of a `stream_name`, the newest version applied of a `version_stream`."""
        recorder = self.process_recorder
        assert isinstance(recorder, VersionTrackingRecorder | InMemoryVersionTrackingRecorder)
        return recorder.latest(sorted(set(streams)))

    def next_offset(self, topic: str, partition: int, consumer: str = "") -> int | None:
        """The offset to resume a partition from, if anything was consumed from it."""
        return self.process_recorder.max_tracking_id(stream_name(topic, partition, consumer))

    def save_tracked(self, *aggregates: Aggregate | None, position: Position | None) -> None:
        """Save new events of `aggregates` together with the position that caused them."""
        processing_event: ProcessingEvent[Any] = ProcessingEvent(
            tracking=position.tracking if position else None
        )
        applied = {APPLIED: position.applied} if position and position.versions else {}
        processing_event.collect_events(*aggregates, **applied)
        if not processing_event.events:
            if position is not None:
                self.process_recorder.insert_events([], tracking=position.tracking, **applied)
            return
        recordings = self._record(processing_event)
        self._notify(recordings)
