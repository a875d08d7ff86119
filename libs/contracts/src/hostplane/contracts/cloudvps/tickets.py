"""Seed 003, Support Tickets: tickets, their messages and attachments, and the list's query."""

import base64
import binascii
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from hostplane.contracts.cloudvps.envelope import ListQuery
from hostplane.contracts.cloudvps.wire import Body, Changes, Id, Label, Request, Timestamp

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TicketPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


TicketCategory = Literal["technical", "billing", "account", "general"]


class Ticket(Body):
    id: Id
    subject: str
    status: TicketStatus
    priority: TicketPriority
    category: TicketCategory
    created_at: Timestamp
    updated_at: Timestamp
    message_count: int


class TicketQuery(ListQuery):
    status: TicketStatus | None = None
    priority: TicketPriority | None = None
    sort: Literal["created_at", "updated_at", "priority", "status"] = "updated_at"


def _base64(data: str) -> str:
    try:
        size = len(base64.b64decode(data, validate=True))
    except binascii.Error as error:
        raise ValueError("the file's data is not base64") from error
    if size > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"a file may hold at most {MAX_ATTACHMENT_BYTES} bytes")
    return data


class Attachment(Request):
    filename: Annotated[str, StringConstraints(pattern=r"^[^/\\\x00-\x1f\x7f]{1,255}$")]
    content_type: Annotated[str, StringConstraints(pattern=r"^[\w.+-]+/[\w.+-]+$")]
    data: Annotated[str, AfterValidator(_base64)]


class AttachmentRef(Body):
    """A file as a message shows it: its name and size, not its bytes."""

    id: Id
    filename: str
    content_type: str
    size: int


Text = Annotated[str, Field(min_length=1, max_length=20_000)]
Attachments = Annotated[list[Attachment], Field(max_length=5)]


class CreateTicketRequest(Request):
    subject: Label
    description: Text
    priority: TicketPriority = TicketPriority.MEDIUM
    category: TicketCategory = "general"
    vps_id: Id | None = None  # when the ticket is about one VPS


class AddTicketMessageRequest(Request):
    message: Text
    attachments: Attachments = []


class UpdateTicketRequest(Changes):
    """Close or reopen a ticket, or change its priority."""

    status: Literal[TicketStatus.OPEN, TicketStatus.CLOSED] | SkipJsonSchema[None] = None
    priority: TicketPriority | SkipJsonSchema[None] = None


class TicketMessage(Body):
    id: Id
    author: Literal["customer", "staff"]
    message: str
    attachments: list[AttachmentRef] = []
    created_at: Timestamp


class TicketDetail(Ticket):
    """A ticket with what it was opened with and its messages, oldest first."""

    description: str
    vps_id: Id | None = None
    messages: list[TicketMessage]
