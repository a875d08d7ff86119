"""What the support service's stored events look like on Kafka: tickets on `support.events`,
jobs on `jobs.events`.

A ticket's payload carries its public state right after the event, read back from the store
at the event's version, so a subscriber keeps its row from any one event.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from hostplane.contracts import support_events as se
from hostplane.messaging import jobs
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.support.domain.ticket import Message, Ticket

SOURCE = "hostplane/support"

TicketAt = Callable[[UUID, int], Ticket]


def _state(ticket: Ticket, actor_id: UUID) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "tenant_id": ticket.tenant_id,
        "owner_id": ticket.owner_id,
        "actor_id": actor_id,
        "subject": ticket.subject,
        "description": ticket.description,
        "category": ticket.category,
        "priority": ticket.priority,
        "status": ticket.status,
        "vps_id": ticket.vps_id,
        "message_count": len(ticket.messages),
        "opened_at": ticket.created_on,
    }


def _posted(message: Message) -> se.PostedMessage:
    return se.PostedMessage(
        id=message.id,
        author_id=message.author_id,
        author_role=message.author_role,
        body=message.body,
        attachments=[se.AttachmentStored(**vars(a)) for a in message.attachments],
    )


def _opened(t: Ticket, e: Any, at: datetime) -> se.TicketEvent:
    return se.TicketOpened(occurred_at=at, **_state(t, t.owner_id))


def _message_added(t: Ticket, e: Any, at: datetime) -> se.TicketEvent:
    message = next(m for m in t.messages if m.id == e.message_id)
    return se.TicketMessageAdded(occurred_at=at, message=_posted(message), **_state(t, e.author_id))


def _updated(t: Ticket, e: Any, at: datetime) -> se.TicketEvent:
    return se.TicketUpdated(occurred_at=at, **_state(t, e.actor_id))


TICKET_PAYLOADS: dict[type[Any], Callable[[Ticket, Any, datetime], se.TicketEvent]] = {
    Ticket.Opened: _opened,
    Ticket.MessageAdded: _message_added,
    Ticket.Updated: _updated,
}


class Translator:
    """The outbox's translation of the support service's stored events."""

    def __init__(self, ticket_at: TicketAt) -> None:
        self._ticket_at = ticket_at

    def __call__(self, event: DomainEventProtocol[Any]) -> OutgoingEvent | None:
        at = event.timestamp
        version = event.originator_version
        to_job = jobs.PAYLOADS.get(type(event))
        if to_job is not None:
            payload = to_job(event, at)
            return OutgoingEvent(payload, event.originator_id, version, SOURCE)
        to_ticket = TICKET_PAYLOADS.get(type(event))
        if to_ticket is None:
            return None
        ticket = self._ticket_at(event.originator_id, version)
        return OutgoingEvent(to_ticket(ticket, event, at), event.originator_id, version, SOURCE)
