"""The query side's use cases: events, telemetry and usage samples into the read models."""

from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass
from functools import partial

from hostplane.contracts.events import EventPayload
from hostplane.contracts.telemetry import LogBatch, ServerUsage, UsageBatch
from hostplane.messaging.eventstore import Position
from hostplane.metrics.adapters.store import ViewStore
from hostplane.metrics.adapters.telemetry import store_ai_usage, store_logs, store_server_usage
from hostplane.metrics.domain.projection import changes


@dataclass(frozen=True)
class Delivered:
    """An event where Kafka delivered it, with its aggregate's version (`ce_sequence`).

    `event` is None for a type this version does not know, or a malformed one: its position
    is kept all the same, as redelivering it would not mend it.
    """

    position: Position
    event: EventPayload | None
    version: int

    @property
    def subject(self) -> str | None:
        """The aggregate id the event was published under (`ce_subject`)."""
        return next((subject for subject, _ in self.position.versions), None)


class Metrics:
    """The read models the gateway serves, kept from every event topic and telemetry."""

    def __init__(self, store: ViewStore, usage_retention_days: float) -> None:
        self._store = store
        self._usage_retention_days = usage_retention_days

    def next_offset(self, topic: str, partition: int) -> int | None:
        """Where a partition's consumption resumes."""
        return self._store.next_offset(topic, partition)

    def apply_events(self, batch: Sequence[Delivered]) -> int:
        """Apply one partition's events in order, each once; returns how many changed a row."""
        return self._store.apply_batch(
            [(d.position, changes(d.event, d.version, d.subject) if d.event else []) for d in batch]
        )

    def store_logs(self, position: Position, batch: LogBatch) -> bool:
        """Store an instance's log lines once; False if this position was stored before."""
        return self._store.write_once(position, partial(store_logs, batch=batch))

    def store_ai_usage(self, position: Position, batch: UsageBatch) -> bool:
        """Store an instance's priced AI requests once; False if this position was stored."""
        return self._store.write_once(position, partial(store_ai_usage, batch=batch))

    def pass_over(self, position: Position) -> None:
        """Keep the position of a record that cannot be stored (malformed), not to read it
        again."""
        self._store.write_once(position, lambda _: None)

    def store_server_usage(self, last: Position, samples: list[ServerUsage]) -> None:
        """Store a partition's usage samples, up to its record at `last`; a sample delivered
        again changes nothing."""
        self._store.write_at(last, partial(store_server_usage, samples=samples))

    def forget_old_usage(self) -> int:
        """Delete usage samples past their retention; returns how many."""
        return self._store.forget_usage_before(self._usage_retention_days)

    async def rebuild(self, history: AsyncIterable[Sequence[Delivered]]) -> int:
        """Apply a whole event history, a partition's batch at a time, then rank the instances
        once; returns how many events changed a row. For read models in replay mode."""
        applied = 0
        async for batch in history:
            applied += self.apply_events(batch)
        self._store.rank_instances()
        return applied

    def close(self) -> None:
        self._store.close()
