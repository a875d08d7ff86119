"""Seed 002 §7: invoices, with their number, tax and dates beyond the seed's shape."""

from typing import Literal
from uuid import UUID

from hostplane.contracts.mpanel.common import Body, ListResponse, Money, Request, Timestamp


class InvoiceItem(Body):
    description: str
    quantity: int
    unit_price: Money
    total: Money
    kind: str  # item, discount (negative), proration


class Invoice(Body):
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    number: str | None  # given when the invoice is issued
    status: str
    currency: str
    items: list[InvoiceItem]
    subtotal: Money
    tax: Money
    tax_rate: Money  # percent
    total: Money
    amount_paid: Money
    amount_refunded: Money
    order_id: UUID | None
    subscription_id: UUID | None
    issued_at: Timestamp | None
    due_at: Timestamp | None
    paid_at: Timestamp | None
    created_at: Timestamp


class InvoiceList(ListResponse[Invoice]):
    pass


class InvoiceStatusUpdate(Request):
    status: Literal["unpaid", "paid", "cancelled", "refunded"]
