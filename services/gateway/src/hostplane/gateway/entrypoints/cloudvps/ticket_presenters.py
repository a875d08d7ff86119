"""Tickets in seed 003's shapes: a user's messages are the customer's, an admin's staff's."""

from hostplane.contracts.cloudvps.admin import AdminTicket
from hostplane.contracts.cloudvps.tickets import (
    AttachmentRef,
    Ticket,
    TicketDetail,
    TicketMessage,
    TicketPriority,
    TicketStatus,
)
from hostplane.gateway.application.cloudvps.tickets import MessageRow, TicketRow

AUTHORS = {"user": "customer", "admin": "staff"}


def _fields(row: TicketRow) -> dict[str, object]:
    return {
        "id": str(row.id),
        "subject": row.subject,
        "status": TicketStatus(row.status),
        "priority": TicketPriority(row.priority),
        "category": row.category,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "message_count": row.message_count,
    }


def ticket(row: TicketRow) -> Ticket:
    return Ticket.model_validate(_fields(row))


def admin_ticket(row: TicketRow) -> AdminTicket:
    return AdminTicket.model_validate({**_fields(row), "user_id": str(row.owner_id)})


def message(row: MessageRow) -> TicketMessage:
    return TicketMessage.model_validate(
        {
            "id": str(row.id),
            "author": AUTHORS[row.author_role],
            "message": row.body,
            "attachments": [
                AttachmentRef(
                    id=str(a["id"]),
                    filename=a["filename"],
                    content_type=a["content_type"],
                    size=a["size"],
                )
                for a in row.attachments
            ],
            "created_at": row.created_at,
        }
    )


def detail(row: TicketRow, messages: list[MessageRow]) -> TicketDetail:
    return TicketDetail.model_validate(
        {
            **_fields(row),
            "description": row.description,
            "vps_id": str(row.vps_id) if row.vps_id else None,
            "messages": [message(m) for m in messages],
        }
    )
