"""Support's projection rules: what each ticket event changes in the read models.

Every payload carries its ticket's whole state, so each saves that state as of the event's
version; a message is added once, by its id.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hostplane.contracts import support_events as s
from hostplane.contracts.payload import EventPayload


@dataclass(frozen=True)
class TicketSaved:
    """A ticket's state as of `version`, unless a newer one was saved."""

    ticket: s.TicketEvent
    version: int


@dataclass(frozen=True)
class TicketMessageSaved:
    ticket: s.TicketMessageAdded


TicketChange = TicketSaved | TicketMessageSaved


def _saved(ev: s.TicketEvent, version: int) -> list[TicketChange]:
    return [TicketSaved(ev, version)]


def _answered(ev: s.TicketMessageAdded, version: int) -> list[TicketChange]:
    return [TicketSaved(ev, version), TicketMessageSaved(ev)]


TICKET_RULES: dict[type[EventPayload], Callable[[Any, int], list[Any]]] = {
    s.TicketOpened: _saved,
    s.TicketMessageAdded: _answered,
    s.TicketUpdated: _saved,
}
