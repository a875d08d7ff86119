"""Support tickets of CloudVPS customers: commands to the support service on
`support.commands`, answered from the read models once it has applied them.

A user sees and changes their own tickets only (another's is not found); the platform's
admins see every ticket, and their messages are staff's. A ticket about a VPS names one of
the user's own. Attachments are judged here by their bytes before anything is sent, and
again by the support service before it keeps them. Under an `Idempotency-Key` a ticket or a
message sent again within the key's life is the same one (its id and its command's id come
from the key); the same key with another body is CONFLICT.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID, uuid4, uuid5

from pydantic import BaseModel

from hostplane.contracts.attachments import AttachmentLimits, AttachmentRefused, check_attachments
from hostplane.contracts.cloudvps.tickets import (
    AddTicketMessageRequest,
    CreateTicketRequest,
    UpdateTicketRequest,
)
from hostplane.contracts.commands import support as commands
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE
from hostplane.contracts.support_events import AuthorRole
from hostplane.contracts.topics import SUPPORT_COMMANDS
from hostplane.gateway.application.cloudvps.servers import Servers
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.readmodels import Page
from hostplane.gateway.application.ports import IdempotencyKeys
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import Conflict, Forbidden, NotFound, Unprocessable
from hostplane.gateway.domain.mpanel.orders import body_digest


@dataclass(frozen=True)
class TicketRow:
    id: UUID
    tenant_id: UUID
    owner_id: UUID
    subject: str
    description: str
    category: str
    priority: str
    status: str
    vps_id: UUID | None
    message_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MessageRow:
    id: UUID
    ticket_id: UUID
    author_id: UUID
    author_role: str  # user | admin
    body: str
    attachments: list[dict[str, Any]]  # AttachmentStored, as JSON
    created_at: datetime


@dataclass(frozen=True)
class TicketFilter:
    status: str | None
    priority: str | None
    owner_id: UUID | None  # None: every owner's (admins)
    sort: str  # created_at | updated_at | priority | status
    descending: bool
    page: int
    limit: int


class TicketReads(Protocol):
    async def tickets(self, tenant_id: UUID, wanted: TicketFilter) -> Page[TicketRow]: ...

    async def ticket(self, tenant_id: UUID, ticket_id: UUID) -> TicketRow | None: ...

    async def messages(self, ticket_id: UUID) -> list[MessageRow]: ...


Row = TypeVar("Row")
TicketCommand = commands.OpenTicket | commands.AddTicketMessage | commands.UpdateTicket


@dataclass(frozen=True)
class Tickets:
    reads: TicketReads
    servers: Servers
    commands: PanelCommands
    limits: AttachmentLimits
    tenant_id: UUID
    keys: IdempotencyKeys
    key_ttl_s: int

    async def listing(self, caller: Caller, wanted: TicketFilter) -> Page[TicketRow]:
        """The caller's tickets; an admin's list is every ticket (narrowed by `owner_id`)."""
        if not caller.is_admin:
            wanted = TicketFilter(**{**vars(wanted), "owner_id": caller.user_id})
        return await self.reads.tickets(self.tenant_id, wanted)

    async def get(self, caller: Caller, ticket_id: UUID) -> tuple[TicketRow, list[MessageRow]]:
        row = await self._visible(caller, ticket_id)
        return row, await self.reads.messages(ticket_id)

    async def open(
        self, caller: Caller, body: CreateTicketRequest, key: str | None = None
    ) -> tuple[TicketRow, list[MessageRow]]:
        """Open a ticket, about one of the caller's VPS if it names one (another's is 404)."""
        if caller.kind != "account":
            raise Forbidden("Tickets are opened by customers' accounts")
        vps_id = await self._own_vps(caller, body.vps_id) if body.vps_id else None
        ticket_id = await self._new_id("ticket", caller, body, key)
        command = commands.OpenTicket(
            tenant_id=self.tenant_id,
            ticket_id=ticket_id,
            actor_id=caller.user_id,
            actor_role=_role(caller),
            subject=body.subject,
            description=body.description,
            priority=body.priority,
            category=body.category,
            vps_id=vps_id,
        )
        row = await self._applied(
            command, lambda: self.reads.ticket(self.tenant_id, ticket_id), ticket_id
        )
        return row, []

    async def reply(
        self,
        caller: Caller,
        ticket_id: UUID,
        body: AddTicketMessageRequest,
        key: str | None = None,
    ) -> MessageRow:
        """Add the caller's message with its files (refused whole if one may not be kept)."""
        await self._visible(caller, ticket_id)
        try:
            check_attachments(body.attachments, self.limits)
        except AttachmentRefused as refusal:
            raise Unprocessable(str(refusal), code="VALIDATION_ERROR") from refusal
        message_id = await self._new_id(f"ticket-message:{ticket_id}", caller, body, key)
        command = commands.AddTicketMessage(
            tenant_id=self.tenant_id,
            ticket_id=ticket_id,
            actor_id=caller.user_id,
            actor_role=_role(caller),
            message_id=message_id,
            body=body.message,
            attachments=[
                commands.AttachmentUpload(
                    filename=a.filename, content_type=a.content_type, data=a.data
                )
                for a in body.attachments
            ],
        )

        async def shown() -> MessageRow | None:
            return next(
                (m for m in await self.reads.messages(ticket_id) if m.id == message_id), None
            )

        return await self._applied(command, shown, message_id)

    async def update(self, caller: Caller, ticket_id: UUID, body: UpdateTicketRequest) -> TicketRow:
        """Close or reopen the ticket, or change its priority."""
        await self._visible(caller, ticket_id)
        command = commands.UpdateTicket(
            tenant_id=self.tenant_id,
            ticket_id=ticket_id,
            actor_id=caller.user_id,
            actor_role=_role(caller),
            status=body.status,
            priority=body.priority,
        )

        async def shown() -> TicketRow | None:
            row = await self.reads.ticket(self.tenant_id, ticket_id)
            if row is None or row.status != (body.status or row.status):
                return None
            return row if row.priority == (body.priority or row.priority) else None

        return await self._applied(command, shown)

    async def _new_id(self, kind: str, caller: Caller, body: BaseModel, key: str | None) -> UUID:
        """A new ticket's or message's id: the key's, if one is given (CONFLICT when the key
        was used for another body)."""
        if key is None:
            return uuid4()
        scope = f"{kind}:{self.tenant_id}:{caller.user_id}:{key}"
        digest = body_digest(body)
        claim = await self.keys.claim(
            scope, digest, uuid5(HOSTPLANE_NAMESPACE, scope), self.key_ttl_s
        )
        if claim.body_sha256 != digest:
            raise Conflict("This Idempotency-Key was used for another request")
        return claim.resource_id

    async def _applied(
        self,
        command: TicketCommand,
        shown: Callable[[], Awaitable[Row | None]],
        makes: UUID | None = None,
    ) -> Row:
        """Send the command, wait for its job (its refusal is the answer) and then for the
        read models to show it; past the wait the caller answers 202 with the job
        (JobPending, ViewLagging). A command that makes a ticket or a message is named by
        it: sent again under the same key, it is the same job."""
        command_id = (
            None if makes is None else uuid5(HOSTPLANE_NAMESPACE, f"{command.type}:{makes}")
        )
        job = await self.commands.run(SUPPORT_COMMANDS, command.ticket_id, command, command_id)
        return await self.commands.shown(job.id, shown)

    async def _visible(self, caller: Caller, ticket_id: UUID) -> TicketRow:
        row = await self.reads.ticket(self.tenant_id, ticket_id)
        if row is None or not (caller.is_admin or row.owner_id == caller.user_id):
            raise NotFound("Ticket not found")
        return row

    async def _own_vps(self, caller: Caller, vps_id: str) -> UUID:
        try:
            wanted = UUID(vps_id)
        except ValueError as error:
            raise NotFound("VPS not found") from error
        return (await self.servers.get(caller, wanted)).id


def _role(caller: Caller) -> AuthorRole:
    return "admin" if caller.is_admin else "user"
