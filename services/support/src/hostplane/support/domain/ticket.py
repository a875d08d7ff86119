"""The Ticket aggregate: a customer's request to support, and the conversation about it.

A ticket belongs to one CloudVPS account (`owner_id`) and may be about one of its VPS. Its
messages are written by the owner (role `user`) or by the platform's staff (`admin`). The
status follows the conversation as a help desk's does: staff answering an open ticket takes
it `in-progress`; the owner writing again on a resolved or closed ticket reopens it. A user
may close and reopen their own ticket and change its priority; staff may set any status.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.cloudvps.tickets import TicketPriority, TicketStatus
from hostplane.contracts.support_events import AuthorRole

# What a user may set a ticket's status to; staff may set any.
USER_STATUSES = frozenset({TicketStatus.OPEN, TicketStatus.CLOSED})
SETTLED = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


class TicketRefused(Exception):
    """A command the ticket's rules refuse; `code` is the CloudVPS error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StoredAttachment:
    """A message's file as the ticket keeps it: metadata and the digest of its bytes."""

    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Message:
    id: UUID
    author_id: UUID
    author_role: AuthorRole
    body: str
    attachments: tuple[StoredAttachment, ...]


class Ticket(Aggregate):
    @staticmethod
    def create_id(ticket_id: UUID, **_: Any) -> UUID:
        return ticket_id  # made by the sender, so it can read the ticket back

    @event("Opened")
    def __init__(
        self,
        *,
        ticket_id: UUID,
        tenant_id: UUID,
        owner_id: UUID,
        subject: str,
        description: str,
        category: str,
        priority: TicketPriority,
        vps_id: UUID | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.owner_id = owner_id
        self.subject = subject
        self.description = description
        self.category = category
        # Stored events hold the enums' text: applying them gives the enums back.
        self.priority = TicketPriority(priority)
        self.vps_id = vps_id
        self.status = TicketStatus.OPEN
        self.messages: list[Message] = []

    def visible_to(self, actor_id: UUID, role: AuthorRole) -> bool:
        """Staff see every ticket; a user only their own (another's is not found)."""
        return role == "admin" or actor_id == self.owner_id

    def has_message(self, message_id: UUID) -> bool:
        return any(message.id == message_id for message in self.messages)

    def add_message(
        self,
        message_id: UUID,
        author_id: UUID,
        author_role: AuthorRole,
        body: str,
        attachments: list[StoredAttachment],
    ) -> None:
        """Add a message (once per id), moving the status as the conversation does."""
        if self.has_message(message_id):
            return
        self._message_added(
            message_id=message_id,
            author_id=author_id,
            author_role=author_role,
            body=body,
            attachments=[vars(a) for a in attachments],
            status=self._status_after_message(author_role),
        )

    def _status_after_message(self, role: AuthorRole) -> TicketStatus:
        if role == "admin" and self.status == TicketStatus.OPEN:
            return TicketStatus.IN_PROGRESS
        if role == "user" and self.status in SETTLED:
            return TicketStatus.OPEN
        return self.status

    @event("MessageAdded")
    def _message_added(
        self,
        message_id: UUID,
        author_id: UUID,
        author_role: AuthorRole,
        body: str,
        attachments: list[dict[str, Any]],
        status: TicketStatus,
    ) -> None:
        files = tuple(StoredAttachment(**a) for a in attachments)
        self.messages.append(Message(message_id, author_id, author_role, body, files))
        self.status = TicketStatus(status)

    def update(
        self,
        actor_id: UUID,
        role: AuthorRole,
        status: TicketStatus | None,
        priority: TicketPriority | None,
    ) -> None:
        """Change the status or priority; what is already so changes nothing."""
        if status is not None and role == "user" and status not in USER_STATUSES:
            raise TicketRefused("FORBIDDEN", f"Only support staff set a ticket {status}")
        new_status = self.status if status is None else status
        new_priority = self.priority if priority is None else priority
        if new_status != self.status or new_priority != self.priority:
            self._updated(actor_id=actor_id, status=new_status, priority=new_priority)

    @event("Updated")
    def _updated(self, actor_id: UUID, status: TicketStatus, priority: TicketPriority) -> None:
        self.status = TicketStatus(status)
        self.priority = TicketPriority(priority)
