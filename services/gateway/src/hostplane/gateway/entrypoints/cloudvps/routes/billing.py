"""`/api/v1/billing`: the signed-in customer's invoices (and their PDF), the current period's
usage, and their saved cards. Another user's invoice or card is 404."""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from hostplane.contracts.cloudvps.billing import (
    AddPaymentMethodRequest,
    Invoice,
    InvoiceQuery,
    PaymentMethod,
    Usage,
)
from hostplane.contracts.cloudvps.envelope import Deleted, Envelope, Pagination
from hostplane.gateway.application.cloudvps.billing import CustomerBilling, InvoiceFilter
from hostplane.gateway.entrypoints.cloudvps import billing_presenters as shown
from hostplane.gateway.entrypoints.cloudvps.dependencies import SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(prefix="/api/v1/billing", tags=["billing"], route_class=EnvelopeRoute)
FOUND = refusals(401, 404)
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
}


async def customer_billing(gateway: GatewayDep) -> CustomerBilling:
    return gateway.cloudvps.billing


BillingDep = Annotated[CustomerBilling, Depends(customer_billing)]


@router.get(
    "/invoices",
    response_model=Envelope[list[Invoice]],
    responses=refusals(401),
)
async def list_invoices(
    query: Annotated[InvoiceQuery, Query()], caller: SignedIn, billing: BillingDep
) -> Envelope[list[Invoice]]:
    """The user's invoices, by status and due dates, a page at a time."""
    wanted = InvoiceFilter(
        query.status,
        query.start_date,
        query.end_date,
        query.sort,
        query.order == "desc",
        query.page,
        query.limit,
    )
    found = await billing.invoices(caller, wanted)
    now = datetime.now(UTC)
    return Envelope(
        data=[shown.invoice(row, now) for row in found.items],
        pagination=Pagination(
            page=query.page,
            limit=query.limit,
            total=found.total,
            has_next=query.page * query.limit < found.total,
            has_prev=query.page > 1,
        ),
    )


@router.get(
    "/invoices/{invoice_id}",
    response_model=Envelope[Invoice],
    responses=FOUND,
)
async def get_invoice(invoice_id: UUID, caller: SignedIn, billing: BillingDep) -> Envelope[Invoice]:
    """One of the user's invoices."""
    row = await billing.invoice(caller, invoice_id)
    return Envelope(data=shown.invoice(row, datetime.now(UTC)))


@router.get("/invoices/{invoice_id}/pdf", response_class=Response, responses={**PDF, **FOUND})
async def invoice_pdf(invoice_id: UUID, caller: SignedIn, billing: BillingDep) -> Response:
    """One of the user's invoices as a PDF document."""
    return Response(await billing.pdf(caller, invoice_id), media_type="application/pdf")


@router.get("/usage", response_model=Envelope[Usage], responses=refusals(401))
async def usage(caller: SignedIn, billing: BillingDep) -> Envelope[Usage]:
    """The current billing period: what the user's VPS cost and used so far."""
    return Envelope(data=shown.usage(await billing.usage(caller, datetime.now(UTC))))


@router.get(
    "/payment-methods", response_model=Envelope[list[PaymentMethod]], responses=refusals(401)
)
async def list_payment_methods(
    caller: SignedIn, billing: BillingDep
) -> Envelope[list[PaymentMethod]]:
    """The user's saved cards."""
    return Envelope(data=shown.payment_methods(await billing.cards(caller)))


@router.post(
    "/payment-methods",
    status_code=201,
    response_model=Envelope[PaymentMethod],
    responses=refusals(401, 402, 403),
)
async def add_payment_method(
    body: AddPaymentMethodRequest, caller: SignedIn, billing: BillingDep
) -> Envelope[PaymentMethod]:
    """Save a card made with Stripe (a card Stripe refuses: 402 PAYMENT_ERROR)."""
    card = await billing.add_card(caller, body.payment_method_id, body.set_as_default)
    cards = await billing.cards(caller)
    return Envelope(data=shown.payment_method(card, cards.default))


@router.delete(
    "/payment-methods/{payment_method_id}", response_model=Envelope[Deleted], responses=FOUND
)
async def delete_payment_method(
    payment_method_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")],
    caller: SignedIn,
    billing: BillingDep,
) -> Envelope[Deleted]:
    """Remove one of the user's saved cards (detached at Stripe)."""
    await billing.remove_card(caller, payment_method_id)
    return Envelope(data=Deleted(id=payment_method_id))
