"""Tickets through the support application in memory: opened, answered, updated, each
command once; another user's ticket is not found; bad files store nothing."""

from itertools import count
from uuid import UUID, uuid4

import pytest

from hostplane.contracts.cloudvps.tickets import TicketPriority, TicketStatus
from hostplane.contracts.commands import support as commands
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.eventstore import Position
from hostplane.messaging.jobs import Job, JobStatus
from hostplane.support.adapters.attachments import InMemoryAttachments
from hostplane.support.application.handlers import handle_command
from hostplane.support.application.service import Support
from hostplane.support.bootstrap import bootstrap, translator
from hostplane.support.domain.ticket import Ticket, TicketRefused
from hostplane.support.settings import Settings

from .files import EXECUTABLE, PNG, b64

TENANT, OWNER, STRANGER, STAFF = uuid4(), uuid4(), uuid4(), uuid4()
OFFSETS = count()


@pytest.fixture
def app() -> Support:
    return bootstrap(Settings(event_store="memory"), InMemoryAttachments())


def _at() -> Position:
    return Position("support.commands", 0, next(OFFSETS))


def _run(app: Support, command: commands.SupportCommand) -> Job:
    job_id = uuid4()
    handle_command(app, command, job_id, _at())
    job = app.find(Job, job_id)
    assert job is not None
    return job


def _open(app: Support, ticket_id: UUID | None = None) -> UUID:
    ticket_id = ticket_id or uuid4()
    command = commands.OpenTicket(
        tenant_id=TENANT,
        ticket_id=ticket_id,
        actor_id=OWNER,
        actor_role="user",
        subject="VPS Performance Issues",
        description="Slow since yesterday",
        priority=TicketPriority.HIGH,
        category="technical",
        vps_id=uuid4(),
    )
    assert _run(app, command).status == JobStatus.SUCCEEDED
    return ticket_id


def _message(
    ticket_id: UUID, actor: UUID = OWNER, role: str = "user", **extra: object
) -> commands.AddTicketMessage:
    return commands.AddTicketMessage.model_validate(
        {
            "tenant_id": TENANT,
            "ticket_id": ticket_id,
            "actor_id": actor,
            "actor_role": role,
            "message_id": uuid4(),
            "body": "Still slow",
            **extra,
        }
    )


def _published(app: Support) -> list[OutgoingEvent | None]:
    """What the outbox relay publishes of everything stored."""
    translate = translator(app)
    stored = app.process_recorder.select_notifications(start=1, limit=1000)
    return [translate(app.mapper.to_domain_event(n)) for n in stored]


def _ticket(app: Support, ticket_id: UUID) -> Ticket:
    ticket = app.find(Ticket, ticket_id)
    assert ticket is not None
    return ticket


def test_an_opened_ticket_is_the_owners_and_open(app: Support) -> None:
    ticket = _ticket(app, _open(app))
    assert (ticket.owner_id, ticket.status, ticket.priority) == (
        OWNER,
        TicketStatus.OPEN,
        TicketPriority.HIGH,
    )


def test_a_redelivered_command_has_one_effect(app: Support) -> None:
    ticket_id = _open(app)
    command, job_id = _message(ticket_id), uuid4()
    handle_command(app, command, job_id, _at())
    handle_command(app, command, job_id, _at())  # sent again: a later offset, the same job
    handle_command(app, command, uuid4(), _at())  # the same message as another job
    assert len(_ticket(app, ticket_id).messages) == 1


def test_staff_answering_takes_it_in_progress_and_the_owner_writing_reopens_it(
    app: Support,
) -> None:
    ticket_id = _open(app)
    _run(app, _message(ticket_id, STAFF, "admin"))
    assert _ticket(app, ticket_id).status == TicketStatus.IN_PROGRESS
    _run(
        app,
        commands.UpdateTicket(
            tenant_id=TENANT,
            ticket_id=ticket_id,
            actor_id=OWNER,
            actor_role="user",
            status=TicketStatus.CLOSED,
        ),
    )
    assert _ticket(app, ticket_id).status == TicketStatus.CLOSED
    _run(app, _message(ticket_id))
    ticket = _ticket(app, ticket_id)
    assert ticket.status == TicketStatus.OPEN
    assert [m.author_role for m in ticket.messages] == ["admin", "user"]


def test_another_users_ticket_is_not_found_and_unchanged(app: Support) -> None:
    ticket_id = _open(app)
    job = _run(app, _message(ticket_id, STRANGER))
    assert (job.status, job.error_code) == (JobStatus.FAILED, "NOT_FOUND")
    update = commands.UpdateTicket(
        tenant_id=TENANT,
        ticket_id=ticket_id,
        actor_id=STRANGER,
        actor_role="user",
        priority=TicketPriority.LOW,
    )
    assert _run(app, update).error_code == "NOT_FOUND"
    ticket = _ticket(app, ticket_id)
    assert (ticket.messages, ticket.priority) == ([], TicketPriority.HIGH)


def test_a_user_may_not_mark_a_ticket_resolved() -> None:
    ticket = Ticket(
        ticket_id=uuid4(),
        tenant_id=TENANT,
        owner_id=OWNER,
        subject="s",
        description="d",
        category="general",
        priority=TicketPriority.LOW,
        vps_id=None,
    )
    with pytest.raises(TicketRefused):
        ticket.update(OWNER, "user", TicketStatus.RESOLVED, None)
    ticket.update(STAFF, "admin", TicketStatus.RESOLVED, None)
    assert ticket.status == TicketStatus.RESOLVED


def test_attachments_are_stored_by_digest_and_events_carry_only_their_metadata(
    app: Support,
) -> None:
    assert isinstance(app.attachments, InMemoryAttachments)
    ticket_id = _open(app)
    upload = {"filename": "../shot.png", "content_type": "image/png", "data": b64(PNG)}
    _run(app, _message(ticket_id, attachments=[upload]))
    (message,) = _ticket(app, ticket_id).messages
    (stored,) = message.attachments
    assert (stored.filename, stored.size) == ("shot.png", len(PNG))
    assert app.attachments.read(stored.sha256) == PNG
    published = _published(app)
    assert b64(PNG) not in "".join(p.value.decode() for p in published if p is not None)


def test_a_file_that_is_not_its_declared_type_stores_nothing(app: Support) -> None:
    assert isinstance(app.attachments, InMemoryAttachments)
    ticket_id = _open(app)
    upload = {"filename": "shot.png", "content_type": "image/png", "data": b64(EXECUTABLE)}
    job = _run(app, _message(ticket_id, attachments=[upload]))
    assert (job.status, job.error_code) == (JobStatus.FAILED, "VALIDATION_ERROR")
    assert _ticket(app, ticket_id).messages == []
    assert app.attachments.blobs == {}


def test_the_events_published_carry_the_tickets_state(app: Support) -> None:
    ticket_id = _open(app)
    _run(app, _message(ticket_id, STAFF, "admin"))
    published = _published(app)
    kinds = [p.payload.ce_type for p in published if p is not None]
    assert kinds.count("ticket.opened") == 1
    assert kinds.count("ticket.message_added") == 1
    assert "job.succeeded" in kinds
    answered = next(
        p.payload for p in published if p and p.payload.ce_type == "ticket.message_added"
    )
    assert answered.model_dump()["status"] == "in-progress"
    assert answered.model_dump()["message_count"] == 1
