"""The state of an aggregate right after each of its stored events, for the outbox.

Billing's payloads carry their aggregate's whole public state, but a stored event holds only
what changed. The relay reads events in order, so this keeps the aggregates it has seen and
applies each new event to its predecessor's state; only an aggregate it has not followed
(after a restart, or evicted) is read from the store, at the event's version.
"""

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate, DomainEventProtocol

# Reads an aggregate from the store as it was at a version.
ReadAt = Callable[[UUID, int], Aggregate]
CAPACITY = 20_000


class StateFollower:
    def __init__(self, read_at: ReadAt, capacity: int = CAPACITY) -> None:
        self._read_at = read_at
        self._capacity = capacity
        self._states: OrderedDict[UUID, Any] = OrderedDict()

    def state_after(self, stored: DomainEventProtocol[Any]) -> Any:
        event = cast(CanMutateAggregate[Any], stored)
        ident, version = event.originator_id, event.originator_version
        known = self._states.pop(ident, None)
        if version == 1:
            state = event.mutate(None)
        elif known is not None and known.version == version - 1:
            state = event.mutate(known)
        else:
            state = self._read_at(ident, version)
        self._states[ident] = state
        if len(self._states) > self._capacity:
            self._states.popitem(last=False)
        return state
