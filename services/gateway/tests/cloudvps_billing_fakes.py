"""CloudVPS billing's read models in memory, over the fake billing's rows: a customer's
invoices, their saved card (the default one), and what jobs answered."""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from hostplane.gateway.application.cloudvps.billing import Card, Cards, InvoiceFilter
from hostplane.gateway.application.mpanel.readmodels import InvoiceRow, Page
from services.gateway.tests.mpanel_fakes import BillingRows

ORDER = {"due_date": "due_at", "amount": "total", "invoice_number": "number"}


@dataclass
class FakeCustomerBillingReads:
    rows: BillingRows
    results: dict[UUID, dict[str, Any]] = field(default_factory=dict)  # job id ->

    async def customer_invoices(
        self, tenant_id: UUID, customer_id: UUID, wanted: InvoiceFilter
    ) -> Page[InvoiceRow]:
        rows = [
            row
            for row in self.rows.invoices.values()
            if row.tenant_id == tenant_id
            and row.customer_id == customer_id
            and row.status in ("unpaid", "paid")
            and (wanted.status is None or (row.status == "paid") == (wanted.status == "paid"))
            and (wanted.start is None or (row.due_at and row.due_at.date() >= wanted.start))
            and (wanted.end is None or (row.due_at and row.due_at.date() <= wanted.end))
        ]
        rows.sort(key=lambda row: getattr(row, ORDER[wanted.sort]), reverse=wanted.descending)
        start = (wanted.page - 1) * wanted.limit
        return Page(rows[start : start + wanted.limit], len(rows))

    async def cards(self, tenant_id: UUID, customer_id: UUID) -> Cards | None:
        customer = self.rows.customers.get(customer_id)
        if customer is None or customer.tenant_id != tenant_id:
            return None
        default = customer.default_payment_method
        return Cards([Card(default, "visa", "4242", 12, 2030)] if default else [], default)

    async def job_result(self, job_id: UUID) -> dict[str, Any] | None:
        return self.results.get(job_id)
