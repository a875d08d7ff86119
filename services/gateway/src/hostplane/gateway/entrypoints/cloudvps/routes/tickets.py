"""`/api/v1/support/tickets` and `/api/v1/admin/tickets`: a customer's support tickets,
opened, answered with files, closed and reopened; the platform's admins see and answer
every ticket. Another user's ticket is 404."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query

from hostplane.contracts.cloudvps.admin import AdminTicket, AdminTicketQuery
from hostplane.contracts.cloudvps.envelope import Envelope, Pagination
from hostplane.contracts.cloudvps.tickets import (
    AddTicketMessageRequest,
    CreateTicketRequest,
    Ticket,
    TicketDetail,
    TicketMessage,
    TicketQuery,
    UpdateTicketRequest,
)
from hostplane.gateway.application.cloudvps.tickets import TicketFilter, TicketRow, Tickets
from hostplane.gateway.application.mpanel.readmodels import Page
from hostplane.gateway.entrypoints.cloudvps import ticket_presenters as presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import Admin, SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(prefix="/api/v1", tags=["support"], route_class=EnvelopeRoute)
FOUND = refusals(401, 404)


async def tickets(gateway: GatewayDep) -> Tickets:
    return gateway.cloudvps.tickets


TicketsDep = Annotated[Tickets, Depends(tickets)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="The same key and body within 24 hours are the same ticket or message; "
        "the same key with another body is 409",
    ),
]


def _owner(user_id: str | None) -> UUID | None:
    """The user an admin's list is narrowed to; an id no user has matches no ticket."""
    if user_id is None:
        return None
    try:
        return UUID(user_id)
    except ValueError:
        return UUID(int=0)


def _filter(query: TicketQuery | AdminTicketQuery) -> TicketFilter:
    return TicketFilter(
        status=query.status.value if query.status else None,
        priority=query.priority.value if query.priority else None,
        owner_id=_owner(getattr(query, "user_id", None)),
        sort=query.sort,
        descending=query.order == "desc",
        page=query.page,
        limit=query.limit,
    )


def _pagination(page: int, limit: int, found: Page[TicketRow]) -> Pagination:
    return Pagination(
        page=page,
        limit=limit,
        total=found.total,
        has_next=page * limit < found.total,
        has_prev=page > 1,
    )


@router.get(
    "/support/tickets",
    response_model=Envelope[list[Ticket]],
    responses=refusals(401),
)
async def list_tickets(
    caller: SignedIn, tickets: TicketsDep, query: Annotated[TicketQuery, Query()]
) -> Envelope[list[Ticket]]:
    """The caller's tickets, filtered by status and priority, a page at a time."""
    found = await tickets.listing(caller, _filter(query))
    return Envelope(
        data=[presenters.ticket(row) for row in found.items],
        pagination=_pagination(query.page, query.limit, found),
    )


@router.post(
    "/support/tickets",
    status_code=201,
    response_model=Envelope[TicketDetail],
    responses=refusals(401, 403, 404, 409),
)
async def open_ticket(
    body: CreateTicketRequest, caller: SignedIn, tickets: TicketsDep, key: IdempotencyKey = None
) -> Envelope[TicketDetail]:
    """Open a ticket, about one of the caller's VPS if `vps_id` names one."""
    row, messages = await tickets.open(caller, body, key)
    return Envelope(data=presenters.detail(row, messages))


@router.get(
    "/support/tickets/{ticket_id}",
    response_model=Envelope[TicketDetail],
    responses=FOUND,
)
async def get_ticket(
    ticket_id: UUID, caller: SignedIn, tickets: TicketsDep
) -> Envelope[TicketDetail]:
    """A ticket and its messages, oldest first."""
    row, messages = await tickets.get(caller, ticket_id)
    return Envelope(data=presenters.detail(row, messages))


@router.post(
    "/support/tickets/{ticket_id}/messages",
    status_code=201,
    response_model=Envelope[TicketMessage],
    responses=refusals(401, 404, 409),
)
async def add_message(
    ticket_id: UUID,
    body: AddTicketMessageRequest,
    caller: SignedIn,
    tickets: TicketsDep,
    key: IdempotencyKey = None,
) -> Envelope[TicketMessage]:
    """Add a message, with files, to the ticket."""
    return Envelope(data=presenters.message(await tickets.reply(caller, ticket_id, body, key)))


@router.put(
    "/support/tickets/{ticket_id}",
    response_model=Envelope[Ticket],
    responses=FOUND,
)
async def update_ticket(
    ticket_id: UUID, body: UpdateTicketRequest, caller: SignedIn, tickets: TicketsDep
) -> Envelope[Ticket]:
    """Close or reopen the ticket, or change its priority."""
    return Envelope(data=presenters.ticket(await tickets.update(caller, ticket_id, body)))


@router.get(
    "/admin/tickets",
    response_model=Envelope[list[AdminTicket]],
    responses=refusals(401, 403),
)
async def every_ticket(
    caller: Admin, tickets: TicketsDep, query: Annotated[AdminTicketQuery, Query()]
) -> Envelope[list[AdminTicket]]:
    """Every customer's tickets, filtered by status, priority and user."""
    found = await tickets.listing(caller, _filter(query))
    return Envelope(
        data=[presenters.admin_ticket(row) for row in found.items],
        pagination=_pagination(query.page, query.limit, found),
    )
