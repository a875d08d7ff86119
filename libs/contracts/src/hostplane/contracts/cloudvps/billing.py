"""Seed 003, Billing and Invoices, Payment Methods: invoices, the period's usage, saved cards."""

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import StringConstraints, model_validator

from hostplane.contracts.cloudvps.envelope import ListQuery
from hostplane.contracts.cloudvps.wire import Body, Currency, Id, Money, Request, Timestamp

InvoiceStatus = Literal["paid", "pending", "overdue"]


class InvoiceItem(Body):
    description: str
    quantity: int
    unit_price: Money
    total: Money


class Invoice(Body):
    id: Id
    invoice_number: str
    amount: Money
    currency: Currency
    status: InvoiceStatus
    due_date: Timestamp
    paid_date: Timestamp | None = None
    items: list[InvoiceItem]


class InvoiceQuery(ListQuery):
    """Invoices due within the dates given, both included."""

    status: InvoiceStatus | None = None
    start_date: date | None = None
    end_date: date | None = None
    sort: Literal["due_date", "amount", "invoice_number"] = "due_date"

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("start_date must not come after end_date")
        return self


class BillingPeriod(Body):
    start_date: Timestamp
    end_date: Timestamp
    total_cost: Money
    currency: Currency


class ServiceUsage(Body):
    cpu_hours: int
    storage_gb_hours: int
    bandwidth_gb: float


class ServiceCost(Body):
    vps_id: Id
    name: str
    plan: str  # the plan's name
    cost: Money
    usage: ServiceUsage


class Usage(Body):
    current_period: BillingPeriod
    services: list[ServiceCost]


class PaymentMethod(Body):
    id: Id
    type: Literal["card"]
    brand: str
    last4: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    exp_month: int
    exp_year: int
    is_default: bool


class AddPaymentMethodRequest(Request):
    """A payment method the browser created with Stripe, saved to the customer."""

    payment_method_id: Annotated[str, StringConstraints(pattern=r"^pm_[A-Za-z0-9_]{1,250}$")]
    set_as_default: bool = False
