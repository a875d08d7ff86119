"""A fetched batch: each record's effect stored once with its position, in partition order."""

from collections import namedtuple
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event

from hostplane.messaging.eventstore import Position, TrackedApplication
from hostplane.messaging.kafka import handle_record_runs, handle_records

Record = namedtuple("Record", "topic partition offset value headers")


class Counter(Aggregate):
    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[str] = []

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(NAMESPACE_URL, name)

    @event("Counted")
    def count(self, value: str) -> None:
        self.seen.append(value)


class Counting(TrackedApplication):
    def record(self, record: Any, position: Position) -> bool:
        """Counts records whose value starts with "+"; the others are not for it."""
        if not record.value.startswith("+"):
            return False
        name = f"p{record.partition}"
        try:
            counter: Counter = self.repository.get(Counter.create_id(name))
        except AggregateNotFoundError:
            counter = Counter(name)
        counter.count(record.value)
        self.save_tracked(counter, position=position)
        return True

    def run(self, records: list[Any], position: Position) -> bool:
        """Counts a run of "*" records in one save, and notes how long the run was."""
        name = f"p{records[0].partition}"
        try:
            counter: Counter = self.repository.get(Counter.create_id(name))
        except AggregateNotFoundError:
            counter = Counter(name)
        for record in records:
            counter.count(f"{record.value}/{len(records)}")
        self.save_tracked(counter, position=position)
        return True

    def seen(self, partition: int) -> list[str]:
        counter: Counter = self.repository.get(Counter.create_id(f"p{partition}"))
        return counter.seen


class Batch:
    def __init__(self, *records: Record) -> None:
        self.raw_message = records


def app() -> Counting:
    return Counting({"PERSISTENCE_MODULE": "eventsourcing.popo"})


def records(partition: int, values: list[str], first: int = 0) -> list[Record]:
    return [Record("t", partition, first + n, v, []) for n, v in enumerate(values)]


async def test_each_partition_in_order_and_a_redelivered_batch_changes_nothing() -> None:
    counting = app()
    batch = Batch(*records(0, ["+a", "+b", "x"]), *records(1, ["+c"]), *records(0, ["+d"], 3))
    await handle_records(counting, batch, counting.record)  # type: ignore[arg-type]
    await handle_records(counting, batch, counting.record)  # type: ignore[arg-type]
    assert counting.seen(0) == ["+a", "+b", "+d"]
    assert counting.seen(1) == ["+c"]
    assert counting.next_offset("t", 0) == 4
    assert counting.next_offset("t", 1) == 1


async def test_a_partition_ending_in_records_not_for_the_handler_keeps_their_position() -> None:
    counting = app()
    await handle_records(counting, Batch(*records(2, ["+a", "x", "y"])), counting.record)  # type: ignore[arg-type]
    assert counting.next_offset("t", 2) == 3
    later = Batch(*records(2, ["x", "y", "+b"], 1))  # redelivered from offset 1, then news
    await handle_records(counting, later, counting.record)  # type: ignore[arg-type]
    assert counting.seen(2) == ["+a", "+b"]


def event_record(partition: int, offset: int, value: str, subject: str, version: int) -> Record:
    """A CloudEvent as an outbox relay publishes it: its aggregate and version in headers."""
    headers = [("ce_subject", subject.encode()), ("ce_sequence", str(version).encode())]
    return Record("t", partition, offset, value, headers)


async def test_an_event_published_again_at_a_later_offset_is_applied_once() -> None:
    counting = app()
    first = Batch(event_record(0, 0, "+v1", "a", 1), event_record(0, 1, "+v2", "a", 2))
    await handle_records(counting, first, counting.record)  # type: ignore[arg-type]
    # A relay took over and published its predecessor's batch in flight again, then news.
    again = Batch(
        event_record(0, 2, "+v1", "a", 1),
        event_record(0, 3, "+v2", "a", 2),
        event_record(0, 4, "+v1", "b", 1),
        event_record(0, 5, "+v3", "a", 3),
        event_record(0, 6, "+v3", "a", 3),
    )
    await handle_records(counting, again, counting.record)  # type: ignore[arg-type]
    assert counting.seen(0) == ["+v1", "+v2", "+v1", "+v3"]
    assert counting.next_offset("t", 0) == 7


async def test_a_batch_of_only_events_seen_before_still_moves_the_partition_on() -> None:
    counting = app()
    await handle_records(counting, Batch(event_record(1, 0, "+v1", "a", 1)), counting.record)  # type: ignore[arg-type]
    await handle_records(counting, Batch(event_record(1, 1, "+v1", "a", 1)), counting.record)  # type: ignore[arg-type]
    assert counting.seen(1) == ["+v1"]
    assert counting.next_offset("t", 1) == 2


def _starred(record: Record) -> bool:
    return bool(record.value.startswith("*"))


async def test_consecutive_joining_records_are_handled_as_one_run() -> None:
    counting = app()
    batch = Batch(*records(0, ["*a", "*b", "+c", "*d", "x", "*e", "*f", "*g"]))
    await handle_record_runs(counting, batch, counting.record, counting.run, _starred)  # type: ignore[arg-type]
    await handle_record_runs(counting, batch, counting.record, counting.run, _starred)  # type: ignore[arg-type]
    assert counting.seen(0) == ["*a/2", "*b/2", "+c", "*d/1", "*e/3", "*f/3", "*g/3"]
    assert counting.next_offset("t", 0) == 8


async def test_a_run_redelivered_from_its_middle_is_not_handled_again() -> None:
    counting = app()
    await handle_record_runs(
        counting, Batch(*records(3, ["*a", "*b"])), counting.record, counting.run, _starred
    )  # type: ignore[arg-type]
    later = Batch(*records(3, ["*b", "*c"], 1))  # offset 1 again, then news
    await handle_record_runs(counting, later, counting.record, counting.run, _starred)  # type: ignore[arg-type]
    assert counting.seen(3) == ["*a/2", "*b/2", "*c/1"]
