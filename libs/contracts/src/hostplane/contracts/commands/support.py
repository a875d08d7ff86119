"""Commands on `support.commands`: a ticket opened, answered, or changed, keyed by the
ticket's id.

Every command names the tenant, the actor (a CloudVPS account, or the platform's admin) and
the actor's role; a user acts on their own tickets only. Ids of new tickets and messages are
made by the sender, so it can read them back. The command id (also its job id) travels as
the `command_id` header.
"""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from hostplane.contracts.cloudvps.tickets import TicketCategory, TicketPriority, TicketStatus
from hostplane.contracts.support_events import AuthorRole


class _TicketCommand(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: UUID
    ticket_id: UUID
    actor_id: UUID
    actor_role: AuthorRole

    @property
    def subject_id(self) -> UUID:
        return self.ticket_id


class OpenTicket(_TicketCommand):
    """A user's new ticket, optionally about one of their VPS (checked by the sender)."""

    type: Literal["OpenTicket"] = "OpenTicket"
    subject: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=20_000)
    priority: TicketPriority
    category: TicketCategory
    vps_id: UUID | None = None


class AttachmentUpload(BaseModel):
    """A file as the user sent it: checked again by the support service before it is kept."""

    model_config = ConfigDict(frozen=True)

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=255)
    data: str  # base64


class AddTicketMessage(_TicketCommand):
    type: Literal["AddTicketMessage"] = "AddTicketMessage"
    message_id: UUID
    body: str = Field(min_length=1, max_length=20_000)
    attachments: list[AttachmentUpload] = []


class UpdateTicket(_TicketCommand):
    """Change what is given: a status, a priority, or both."""

    type: Literal["UpdateTicket"] = "UpdateTicket"
    status: TicketStatus | None = None
    priority: TicketPriority | None = None


SupportCommand = Annotated[
    OpenTicket | AddTicketMessage | UpdateTicket,
    Field(discriminator="type"),
]
