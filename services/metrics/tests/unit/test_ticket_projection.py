"""Ticket events into the read models: each saves its ticket's state as of its version; a
message adds its row once, with its files' metadata only."""

from datetime import UTC, datetime
from uuid import uuid4

from hostplane.contracts import support_events as s
from hostplane.contracts.cloudvps.tickets import TicketPriority, TicketStatus
from hostplane.metrics.domain.projection import changes
from hostplane.metrics.domain.ticket_projection import TicketMessageSaved, TicketSaved

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _state() -> dict[str, object]:
    return {
        "occurred_at": AT,
        "ticket_id": uuid4(),
        "tenant_id": uuid4(),
        "owner_id": uuid4(),
        "actor_id": uuid4(),
        "subject": "Slow",
        "description": "Since yesterday",
        "category": "technical",
        "priority": TicketPriority.HIGH,
        "status": TicketStatus.OPEN,
        "message_count": 1,
        "opened_at": AT,
    }


def test_an_opened_ticket_saves_its_row() -> None:
    opened = s.TicketOpened.model_validate(_state())
    assert changes(opened, 1) == [TicketSaved(opened, 1)]


def test_a_message_saves_the_ticket_and_its_own_row() -> None:
    message = s.PostedMessage(
        id=uuid4(), author_id=uuid4(), author_role="admin", body="On it", attachments=[]
    )
    added = s.TicketMessageAdded.model_validate({**_state(), "message": message})
    assert changes(added, 2) == [TicketSaved(added, 2), TicketMessageSaved(added)]
