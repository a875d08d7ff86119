"""The support service's event payloads on `support.events` (key: ticket id).

Each payload carries its ticket's public state after the change (additive only), so a
subscriber keeps a row per ticket from any one event; `actor_id` is who caused it. A
message's attachments travel as their metadata and SHA-256 only: their bytes stay in the
support service.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from hostplane.contracts.cloudvps.tickets import TicketCategory, TicketPriority, TicketStatus
from hostplane.contracts.payload import EventPayload
from hostplane.contracts.topics import SUPPORT_EVENTS

AuthorRole = Literal["user", "admin"]


class AttachmentStored(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str


class PostedMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    author_id: UUID
    author_role: AuthorRole
    body: str
    attachments: list[AttachmentStored] = []


class TicketEvent(EventPayload):
    topic = SUPPORT_EVENTS
    ticket_id: UUID
    tenant_id: UUID
    owner_id: UUID  # the CloudVPS account whose ticket it is
    actor_id: UUID
    subject: str
    description: str
    category: TicketCategory
    priority: TicketPriority
    status: TicketStatus
    vps_id: UUID | None = None
    message_count: int
    opened_at: datetime


class TicketOpened(TicketEvent):
    ce_type = "ticket.opened"


class TicketMessageAdded(TicketEvent):
    ce_type = "ticket.message_added"
    message: PostedMessage


class TicketUpdated(TicketEvent):
    """Its status or priority changed (`status`, `priority` are the new ones)."""

    ce_type = "ticket.updated"


SUPPORT_PAYLOADS: tuple[type[EventPayload], ...] = (
    TicketOpened,
    TicketMessageAdded,
    TicketUpdated,
)
