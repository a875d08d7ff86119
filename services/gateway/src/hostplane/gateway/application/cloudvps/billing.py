"""A CloudVPS customer's billing: their invoices (as a PDF too), the current period's usage,
and their saved cards. Everything is the caller's account's customer's: another user's
invoice or card is not found (404), and an admin, who has no customer, has none.

A card is saved and removed through billing (`AttachPaymentMethod`, `DetachPaymentMethod`),
which asks Stripe first: a card Stripe refuses is a PAYMENT_ERROR and is not saved.
"""

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from hostplane.contracts.billing import BillingCycle, ProductType
from hostplane.contracts.catalog import Plan, PlanSpec
from hostplane.contracts.commands.billing import AttachPaymentMethod, DetachPaymentMethod
from hostplane.gateway.application.cloudvps.accounts import Accounts
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.invoices import InvoiceRenderer
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import (
    InvoiceRow,
    Page,
    ProductRow,
    SubscriptionRow,
)
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import (
    Forbidden,
    NotFound,
    PaymentError,
    Refused,
    Unprocessable,
)

HOUR_S = 3600
# Billing's invoice statuses shown to a customer: an unpaid one is pending until it is due,
# then overdue. Drafts, void (cancelled) and refunded invoices are not listed.
SHOWN_STATUSES = ("unpaid", "paid")


def payment_refusal(refusal: Refused) -> Refused:
    """Stripe's refusals (a card declined, a payment method it does not know, Stripe away)
    are the contract's PAYMENT_ERROR; billing's other refusals stay what they are."""
    if refusal.code.startswith("PAYMENT"):
        return PaymentError(refusal.message, code=refusal.code)
    return refusal


@dataclass(frozen=True)
class Card:
    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Cards:
    """A customer's saved cards and the default one (None: no default)."""

    cards: list[Card]
    default: str | None


@dataclass(frozen=True)
class InvoiceFilter:
    status: str | None  # the seed's: paid, pending, overdue
    start: date | None  # due on or after
    end: date | None  # due on or before
    sort: str  # due_date | amount | invoice_number
    descending: bool
    page: int
    limit: int


class CustomerBillingReads(Protocol):
    async def customer_invoices(
        self, tenant_id: UUID, customer_id: UUID, wanted: InvoiceFilter
    ) -> Page[InvoiceRow]: ...

    async def cards(self, tenant_id: UUID, customer_id: UUID) -> Cards | None: ...

    async def job_result(self, job_id: UUID) -> dict[str, Any] | None:
        """What a finished job answered (billing's ids), or None before it is known."""
        ...


@dataclass(frozen=True)
class ServiceCost:
    vps_id: UUID
    name: str
    plan: str
    cost: int
    cpu_hours: int
    storage_gb_hours: int


@dataclass(frozen=True)
class Usage:
    start: datetime
    end: datetime
    currency: str
    services: list[ServiceCost]

    @property
    def total(self) -> int:
        return sum(service.cost for service in self.services)


@dataclass(frozen=True)
class CustomerBilling:
    reads: CustomerBillingReads
    billing: BillingReads
    accounts: Accounts
    commands: PanelCommands
    render: InvoiceRenderer
    plans: dict[Plan, PlanSpec]

    @property
    def tenant_id(self) -> UUID:
        return self.accounts.tenant_id

    async def invoices(self, caller: Caller, wanted: InvoiceFilter) -> Page[InvoiceRow]:
        """The caller's invoices, filtered, sorted and paged."""
        customer_id = await self._customer(caller)
        if customer_id is None:
            return Page([], 0)
        return await self.reads.customer_invoices(self.tenant_id, customer_id, wanted)

    async def invoice(self, caller: Caller, invoice_id: UUID) -> InvoiceRow:
        """One of the caller's invoices."""
        customer_id = await self._customer(caller)
        row = await self.billing.invoice(self.tenant_id, invoice_id) if customer_id else None
        if row is None or row.customer_id != customer_id or row.status not in SHOWN_STATUSES:
            raise NotFound("Invoice not found")
        return row

    async def pdf(self, caller: Caller, invoice_id: UUID) -> bytes:
        """One of the caller's invoices as a PDF (the same bytes every time)."""
        invoice = await self.invoice(caller, invoice_id)
        customer = await self.billing.customer(self.tenant_id, invoice.customer_id)
        tenant = await self.billing.tenant(self.tenant_id)
        if customer is None or tenant is None:
            raise NotFound("Invoice not found")
        return await asyncio.to_thread(self.render, invoice, customer, tenant)

    async def usage(self, caller: Caller, now: datetime) -> Usage:
        """What the caller's running VPS cost in their current periods, and what they used
        so far: vCPU and disk hours since each period began."""
        customer_id = await self._customer(caller)
        subscriptions = (
            await self.billing.subscriptions(
                self.tenant_id, customer_id, "active", ProductType.CLOUDPOD.value, 1, 100
            )
            if customer_id
            else Page[SubscriptionRow]([], 0)
        )
        services: list[ServiceCost] = []
        currencies: set[str] = set()
        for subscription in subscriptions.items:
            costed = await self._cost(subscription, now)
            if costed is not None:
                services.append(costed[0])
                currencies.add(costed[1])
        starts = [s.period_start for s in subscriptions.items] or [_month_start(now)]
        ends = [s.period_end for s in subscriptions.items] or [_month_end(now)]
        currency = currencies.pop() if len(currencies) == 1 else "USD"
        return Usage(min(starts), max(ends), currency, services)

    async def _cost(
        self, subscription: SubscriptionRow, now: datetime
    ) -> tuple[ServiceCost, str] | None:
        product = await self.billing.product(self.tenant_id, subscription.product_id)
        pod = (
            await self.billing.cloudpod(self.tenant_id, subscription.instance_id)
            if subscription.instance_id
            else None
        )
        if product is None or pod is None:
            return None
        amount, currency = _price(product, subscription.billing_cycle)
        cpu, disk = self._size(product)
        used = max(
            0.0, (min(now, subscription.period_end) - subscription.period_start).total_seconds()
        )
        hours = int(used // HOUR_S)
        return (
            ServiceCost(pod.id, pod.name, product.name, amount, hours * cpu, hours * disk),
            currency,
        )

    def _size(self, product: ProductRow) -> tuple[int, int]:
        spec = self.plans.get(product.placement.plan) if product.placement else None
        cpu = product.specs.cpu or (spec.cores if spec else 0)
        disk = product.specs.disk_gb or (spec.disk_gb if spec else 0)
        return cpu, disk

    # ---- saved cards ---------------------------------------------------------------------

    async def cards(self, caller: Caller) -> Cards:
        """The caller's saved cards."""
        customer_id = await self._customer(caller)
        found = await self.reads.cards(self.tenant_id, customer_id) if customer_id else None
        return found or Cards([], None)

    async def add_card(self, caller: Caller, payment_method_id: str, make_default: bool) -> Card:
        """Save a card Stripe's browser library made; a refused one is a PAYMENT_ERROR."""
        customer_id = await self._own_customer(caller)
        command = AttachPaymentMethod(
            tenant_id=self.tenant_id,
            actor_id=caller.user_id,
            customer_id=customer_id,
            payment_method_id=payment_method_id,
            set_as_default=make_default,
        )
        try:
            job = await self.commands.billing(command)
        except Refused as refusal:
            raise payment_refusal(refusal) from refusal
        result = await self.commands.shown(job.id, lambda: self.reads.job_result(job.id))
        saved = str(result.get("payment_method_id", ""))

        async def shown() -> Card | None:
            cards = await self.cards(caller)
            card = next((c for c in cards.cards if c.id == saved), None)
            wanted_default = not make_default or cards.default == saved
            return card if card is not None and wanted_default else None

        if not saved:
            raise Unprocessable("Billing saved no card", code="NO_PAYMENT_METHOD")
        return await self.commands.shown(job.id, shown)

    async def remove_card(self, caller: Caller, payment_method_id: str) -> None:
        """Remove one of the caller's cards (detached at Stripe)."""
        customer_id = await self._own_customer(caller)
        cards = await self.cards(caller)
        if not any(card.id == payment_method_id for card in cards.cards):
            raise NotFound("Payment method not found")
        command = DetachPaymentMethod(
            tenant_id=self.tenant_id,
            actor_id=caller.user_id,
            customer_id=customer_id,
            payment_method_id=payment_method_id,
        )
        job = await self.commands.billing(command)

        async def gone() -> bool | None:
            now = await self.cards(caller)
            return None if any(c.id == payment_method_id for c in now.cards) else True

        await self.commands.shown(job.id, gone)

    async def _customer(self, caller: Caller) -> UUID | None:
        """The customer who pays for the caller's account (an admin has none)."""
        if caller.kind != "account":
            return None
        return (await self.accounts.profile(caller)).customer_id

    async def _own_customer(self, caller: Caller) -> UUID:
        customer_id = await self._customer(caller)
        if customer_id is None:
            raise Forbidden("Only a customer's account has payment methods")
        return customer_id


def _price(product: ProductRow, cycle: str) -> tuple[int, str]:
    prices = {p.cycle.value: p for p in product.prices}
    price = prices.get(cycle) or prices.get(BillingCycle.MONTHLY.value) or product.prices[0]
    return price.amount, price.currency


def _month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _month_end(now: datetime) -> datetime:
    start = _month_start(now)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)
