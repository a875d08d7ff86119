"""Seed 002 §7: invoices, their status by hand (admins), and their PDF."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from hostplane.contracts.billing import InvoiceStatus
from hostplane.contracts.mpanel.invoices import Invoice, InvoiceList, InvoiceStatusUpdate
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals
from hostplane.gateway.entrypoints.openapi import Responses

router = APIRouter(prefix="/api/invoices", tags=["invoices"])

Reader = Annotated[Operator, allowed(Permission.INVOICES_READ)]
Admin = Annotated[Operator, allowed(Permission.INVOICES_STATUS)]
PDF: Responses = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
}


@router.get("", response_model=InvoiceList)
async def list_invoices(
    operator: Reader,
    mpanel: MPanelDep,
    customer_id: Annotated[UUID | None, Query(alias="customerId")] = None,
    status: InvoiceStatus | None = None,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> InvoiceList:
    """The tenant's invoices, of one customer or status if asked."""
    rows = await mpanel.invoices.list(operator, customer_id, status, page, page_size)
    return presenters.listing(InvoiceList, rows, presenters.invoice, page, page_size)


@router.get("/{invoice_id}", response_model=Invoice, responses=refusals(404))
async def get_invoice(invoice_id: UUID, operator: Reader, mpanel: MPanelDep) -> Invoice:
    """One of the tenant's invoices, with its lines, tax and dates."""
    return presenters.invoice(await mpanel.invoices.get(operator, invoice_id))


@router.patch("/{invoice_id}/status", response_model=Invoice, responses=WAITED)
async def set_invoice_status(
    invoice_id: UUID, body: InvoiceStatusUpdate, operator: Admin, mpanel: MPanelDep
) -> Invoice:
    """Move an invoice to a status by hand; the invoice's rules may refuse it (409)."""
    status = InvoiceStatus(body.status)
    return presenters.invoice(await mpanel.invoices.set_status(operator, invoice_id, status))


@router.get(
    "/{invoice_id}/pdf",
    response_class=Response,
    responses={**PDF, **refusals(404)},
)
async def invoice_pdf(invoice_id: UUID, operator: Reader, mpanel: MPanelDep) -> Response:
    """The invoice as a PDF document."""
    document = await mpanel.invoices.pdf(operator, invoice_id)
    return Response(document, media_type="application/pdf")
