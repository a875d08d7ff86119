"""One handler per command on `support.commands`, found by the command's type.

A handler gets the application and the command, and returns the tickets it changed;
`handle_command` saves them with the command's job and position in one transaction. A
command handled before (its job exists) changes nothing; a refused one stores its failed job
and nothing else. Another user's ticket is NOT_FOUND, as it is at the gateway.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid5

from hostplane.contracts.attachments import AttachmentRefused, check_attachments
from hostplane.contracts.commands import support as commands
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE
from hostplane.messaging.eventstore import Position
from hostplane.support.application.service import Support
from hostplane.support.domain.ticket import StoredAttachment, Ticket, TicketRefused

Handler = Callable[[Support, Any], list[Ticket]]


def handle_command(
    app: Support, command: commands.SupportCommand, job_id: UUID, position: Position | None
) -> None:
    """Carry out one command from `support.commands` as job `job_id`."""
    job = app.new_job(job_id, type(command).__name__, command.subject_id)
    if job is None:
        app.save_tracked(position=position)  # a redelivered command whose job exists
        return
    try:
        changed = HANDLERS[type(command)](app, command)
    except TicketRefused as refusal:
        job.fail(refusal.code, refusal.message)
        changed = []
    job.succeed(_result(command))  # unless it failed above
    app.save_tracked(job, *changed, position=position)


def _result(command: commands.SupportCommand) -> dict[str, Any]:
    found = {"ticket_id": str(command.ticket_id)}
    if isinstance(command, commands.AddTicketMessage):
        found["message_id"] = str(command.message_id)
    return found


def open_ticket(app: Support, command: commands.OpenTicket) -> list[Ticket]:
    existing = app.find(Ticket, command.ticket_id)
    if existing is not None:
        if existing.owner_id != command.actor_id:
            raise TicketRefused("CONFLICT", "This ticket id is taken")
        return []  # the same ticket opened again
    return [
        Ticket(
            ticket_id=command.ticket_id,
            tenant_id=command.tenant_id,
            owner_id=command.actor_id,
            subject=command.subject,
            description=command.description,
            category=command.category,
            priority=command.priority,
            vps_id=command.vps_id,
        )
    ]


def _visible(app: Support, command: Any) -> Ticket:
    ticket = app.find(Ticket, command.ticket_id)
    if ticket is None or not ticket.visible_to(command.actor_id, command.actor_role):
        raise TicketRefused("NOT_FOUND", "Ticket not found")
    return ticket


def add_message(app: Support, command: commands.AddTicketMessage) -> list[Ticket]:
    """Judge the files again, keep their bytes, then add the message naming them."""
    ticket = _visible(app, command)
    if ticket.has_message(command.message_id):
        return []
    try:
        files = check_attachments(command.attachments, app.limits)
    except AttachmentRefused as refusal:
        raise TicketRefused("VALIDATION_ERROR", str(refusal)) from refusal
    app.attachments.keep(files)
    stored = [
        StoredAttachment(
            id=uuid5(HOSTPLANE_NAMESPACE, f"ticket-attachment:{command.message_id}:{n}"),
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
        )
        for n, f in enumerate(files)
    ]
    ticket.add_message(
        command.message_id, command.actor_id, command.actor_role, command.body, stored
    )
    return [ticket]


def update_ticket(app: Support, command: commands.UpdateTicket) -> list[Ticket]:
    ticket = _visible(app, command)
    ticket.update(command.actor_id, command.actor_role, command.status, command.priority)
    return [ticket]


HANDLERS: dict[type[Any], Handler] = {
    commands.OpenTicket: open_ticket,
    commands.AddTicketMessage: add_message,
    commands.UpdateTicket: update_ticket,
}
