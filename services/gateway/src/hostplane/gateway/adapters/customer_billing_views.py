"""A CloudVPS customer's invoices and saved cards as the read models show them (read-only),
and what a billing job answered."""

from typing import Any
from uuid import UUID

from psycopg.rows import scalar_row

from hostplane.gateway.adapters.billing_views import INVOICES, Where
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.cloudvps.billing import Card, Cards, InvoiceFilter
from hostplane.gateway.application.mpanel.readmodels import InvoiceRow, Page

# The seed's statuses as billing's: an unpaid invoice is pending until its due date passes.
STATUS = {
    "paid": "i.status = 'paid'",
    "pending": "i.status = 'unpaid' AND i.due_at >= now()",
    "overdue": "i.status = 'unpaid' AND i.due_at < now()",
}
SHOWN = "i.status IN ('unpaid', 'paid')"
ORDER = {"due_date": "i.due_at", "amount": "i.total", "invoice_number": "i.number"}


class CustomerBillingViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def customer_invoices(
        self, tenant_id: UUID, customer_id: UUID, wanted: InvoiceFilter
    ) -> Page[InvoiceRow]:
        where = (
            Where()
            .add("i.tenant_id = %(tenant)s", tenant=tenant_id)
            .add("i.customer_id = %(customer)s", customer=customer_id)
            .add(STATUS[wanted.status] if wanted.status else SHOWN)
            .add("i.due_at::date >= %(start)s", start=wanted.start)
            .add("i.due_at::date <= %(end)s", end=wanted.end)
        )
        direction = "DESC" if wanted.descending else "ASC"
        order = f"{ORDER[wanted.sort]} {direction}, i.id {direction}"
        window = {"limit": wanted.limit, "offset": (wanted.page - 1) * wanted.limit}
        query = (
            f"SELECT {INVOICES.select} FROM {INVOICES.source}{where} "  # noqa: S608
            f"ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"
        )
        count = f"SELECT count(*) FROM {INVOICES.source}{where}"  # noqa: S608
        items = await self._db.all(INVOICES.row, query, {**where.params, **window})
        total = await self._db.one(scalar_row, count, where.params)
        return Page(items, int(total or 0))

    async def cards(self, tenant_id: UUID, customer_id: UUID) -> Cards | None:
        return await self._db.one(
            _cards,
            "SELECT payment_methods, default_payment_method FROM views.customers"
            " WHERE tenant_id = %(tenant)s AND id = %(customer)s",
            {"tenant": tenant_id, "customer": customer_id},
        )

    async def job_result(self, job_id: UUID) -> dict[str, Any] | None:
        result = await self._db.one(
            scalar_row,
            "SELECT result FROM views.jobs WHERE id = %(id)s AND finished_at IS NOT NULL",
            {"id": job_id},
        )
        return dict(result) if result is not None else None


def _cards(cursor: Any) -> Any:
    def make(values: Any) -> Cards:
        saved, default = values
        return Cards([Card(**card) for card in saved or []], default)

    return make
