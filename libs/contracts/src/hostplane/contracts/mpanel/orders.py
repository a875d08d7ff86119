"""Seed 002 §6: orders (a checkout: the order and its one invoice)."""

from typing import Annotated
from uuid import UUID

from pydantic import Field

from hostplane.contracts.billing import BillingCycle
from hostplane.contracts.mpanel.common import Body, Money, Request, Timestamp

Quantity = Annotated[int, Field(ge=1, le=1000)]


class AddonIn(Request):
    product_id: UUID
    quantity: Quantity = 1


class OrderItemIn(Request):
    product_id: UUID
    billing_cycle: BillingCycle = BillingCycle.MONTHLY
    quantity: Quantity = 1
    addons: Annotated[list[AddonIn], Field(max_length=20)] = []


class OrderCreate(Request):
    customer_id: UUID
    items: Annotated[list[OrderItemIn], Field(min_length=1, max_length=50)]
    coupon_code: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class OrderSummary(Body):
    id: UUID
    status: str
    total: Money
    currency: str


class InvoiceSummary(Body):
    id: UUID
    status: str
    amount: Money


class OrderPlaced(Body):
    order: OrderSummary
    invoice: InvoiceSummary


class Addon(Body):
    product_id: str
    quantity: int


class OrderItem(Body):
    product_id: str
    billing_cycle: BillingCycle
    quantity: int
    addons: list[Addon]


class Order(Body):
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    status: str
    items: list[OrderItem]
    coupon_code: str | None
    invoice_id: UUID
    total: Money
    currency: str
    subscription_ids: list[UUID]
    instance_ids: list[UUID]
    error_code: str | None
    error_message: str | None
    created_at: Timestamp
    updated_at: Timestamp
