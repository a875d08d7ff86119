"""Invoices: read, their status changed by an admin (billing's rules decide), as a PDF."""

import asyncio
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from hostplane.contracts.billing import InvoiceStatus
from hostplane.contracts.commands.billing import SetInvoiceStatus
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import (
    CustomerRow,
    InvoiceRow,
    Page,
    TenantRow,
)
from hostplane.gateway.domain.errors import NotFound
from hostplane.gateway.domain.mpanel.access import Operator


class InvoiceRenderer(Protocol):
    def __call__(self, invoice: InvoiceRow, customer: CustomerRow, tenant: TenantRow) -> bytes:
        """The invoice as a PDF document (CPU-bound: called in a thread)."""
        ...


@dataclass(frozen=True)
class Invoices:
    reads: BillingReads
    commands: PanelCommands
    render: InvoiceRenderer

    async def list(
        self,
        operator: Operator,
        customer_id: UUID | None,
        status: InvoiceStatus | None,
        page: int,
        page_size: int,
    ) -> Page[InvoiceRow]:
        """The tenant's invoices, of one customer or status if asked."""
        kind = status.value if status else None
        return await self.reads.invoices(operator.tenant_id, customer_id, kind, page, page_size)

    async def get(self, operator: Operator, invoice_id: UUID) -> InvoiceRow:
        """One of the tenant's invoices."""
        row = await self.reads.invoice(operator.tenant_id, invoice_id)
        if row is None:
            raise NotFound("Invoice not found")
        return row

    async def set_status(
        self, operator: Operator, invoice_id: UUID, status: InvoiceStatus
    ) -> InvoiceRow:
        """Move an invoice to a status by hand; the invoice's rules may refuse (409)."""
        await self.get(operator, invoice_id)
        command = SetInvoiceStatus(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            invoice_id=invoice_id,
            status=status,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id,
            lambda: self.reads.invoice(operator.tenant_id, invoice_id),
            lambda row: row.status == status,
        )

    async def pdf(self, operator: Operator, invoice_id: UUID) -> bytes:
        """The invoice as a PDF, with the customer's and the tenant's particulars."""
        invoice = await self.get(operator, invoice_id)
        customer = await self.reads.customer(operator.tenant_id, invoice.customer_id)
        tenant = await self.reads.tenant(operator.tenant_id)
        if customer is None or tenant is None:
            raise NotFound("Invoice not found")
        return await asyncio.to_thread(self.render, invoice, customer, tenant)
