"""An `eventsourcing` Application whose saves can carry the Kafka position they consume."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import Mapper, ProcessRecorder, Recording, StoredEvent, Tracking
from psycopg import sql
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from hostplane.messaging.observability import current_traceparent

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

    @property
    def tracking(self) -> Tracking:
        # notification_id is the next offset to read, so "seek to it" resumes exactly.
        return Tracking(application_name=self.stream, notification_id=self.offset + 1)

    @property
    def stream(self) -> str:
        return stream_name(self.topic, self.partition, self.consumer)


def stream_name(topic: str, partition: int, consumer: str = "") -> str:
    """The tracking records' name for a partition as one subscriber consumes it."""
    return f"{topic}:{partition}" + (f"@{consumer}" if consumer else "")


# A service starting while PostgreSQL is still coming up waits for it (up to two minutes).
until_database_answers = retry(
    retry=retry_if_exception_type(psycopg.OperationalError),
    wait=wait_exponential(multiplier=0.2, max=5),
    stop=stop_after_delay(120),
    reraise=True,
)


@until_database_answers
def ensure_schema(database_url: str, schema: str) -> None:
    """Create the service's schema if it is missing (the recorder creates its tables)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
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

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

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
        """Whether the message at this position already had its effect stored."""
        return self.process_recorder.has_tracking_id(
            position.stream, position.tracking.notification_id
        )

    def next_offset(self, topic: str, partition: int, consumer: str = "") -> int | None:
        """The offset to resume a partition from, if anything was consumed from it."""
        return self.process_recorder.max_tracking_id(stream_name(topic, partition, consumer))

    def save_tracked(self, *aggregates: Aggregate | None, position: Position | None) -> None:
        """Save new events of `aggregates` together with the position that caused them."""
        processing_event: ProcessingEvent[Any] = ProcessingEvent(
            tracking=position.tracking if position else None
        )
        processing_event.collect_events(*aggregates)
        if not processing_event.events:
            if position is not None:
                self.process_recorder.insert_tracking(position.tracking)
            return
        recordings = self._record(processing_event)
        self._notify(recordings)
