"""What follows from a payment, a renewal, a dunning step or the instance's fate.

- A paid invoice of an order starts the order's subscriptions and, for a `cloudpod`, asks
  provisioning for its instance (deterministic id: the subscription's CloudPod).
- An instance that becomes active completes its order; one that fails for good fails the
  order, and its invoice is refunded through a credit note and Stripe.
- A renewal invoices the next period once (the invoice id is derived from it); once it is
  published, the saved payment method is charged. Dunning retries, marks overdue, suspends
  and terminates.
- Paying lifts only the suspensions billing made for non-payment.

Each function returns the aggregates it changed; the caller saves them in one transaction.
"""

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from hostplane.billing.adapters.payments import ChargeOutcome
from hostplane.billing.application.service import Billing, priced_invoice
from hostplane.billing.domain import dunning
from hostplane.billing.domain.catalog import Product
from hostplane.billing.domain.cloudpod import OVERDUE, CloudPod
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.errors import not_found
from hostplane.billing.domain.invoice import Invoice, NumberSeries
from hostplane.billing.domain.order import Order
from hostplane.billing.domain.periods import period_at
from hostplane.billing.domain.pricing import line, price
from hostplane.billing.domain.proration import apply_credit, proration_line
from hostplane.billing.domain.subscription import (
    Subscription,
    renewal_invoice_id,
    subscription_id,
)
from hostplane.contracts.billing import BillingCycle, ProductType
from hostplane.contracts.identity import default_subdomain
from hostplane.providers.errors import ProviderError

log = logging.getLogger(__name__)

Changed = list[Aggregate]
MANUAL = "manual:"


def settle(
    app: Billing, invoice: Invoice, intent_id: str, amount: int, attempt: int | None = None
) -> Changed:
    """Record a successful payment of the invoice, and start what it paid for."""
    if not invoice.record_payment(intent_id, amount, app.clock.now(), attempt):
        extra = invoice.is_paid and invoice.payment_intent_id not in (intent_id, None)
        if extra and not intent_id.startswith(MANUAL):
            # Paid twice (a checkout completed while a renewal charge ran): keep one charge.
            log.warning("invoice %s: refunding a second payment %s", invoice.id, intent_id)
            app.payments.refund(intent_id, invoice.id, amount)
        return [invoice]
    changed: Changed = [invoice]
    if invoice.order_id is not None:
        changed += start_order(app, invoice.order_id)
    if invoice.subscription_id is not None:
        changed += lift_suspension(app, invoice.subscription_id)
    return changed


def start_order(app: Billing, order_id: UUID) -> Changed:
    """The order is paid: its subscriptions start now, its CloudPods are asked for."""
    order = app.find(Order, order_id)
    if order is None:
        raise not_found("order", order_id)
    customer = app.in_tenant(Customer, order.customer_id, order.tenant_id)
    started: Changed = []
    for index, item in enumerate(order.items):
        product = app.in_tenant(Product, UUID(item["product_id"]), order.tenant_id)
        for unit in range(int(item.get("quantity", 1))):
            started += _subscribe(app, order, customer, product, item, (index, unit))
    subscriptions = [s.id for s in started if isinstance(s, Subscription)]
    pods = [p.id for p in started if isinstance(p, CloudPod)]
    order.pay(subscriptions, pods)
    return [order, customer, *started]


def _addons(item: dict[str, Any]) -> list[dict[str, Any]]:
    return list(item.get("addons") or [])


def _subscribe(
    app: Billing,
    order: Order,
    customer: Customer,
    product: Product,
    item: dict[str, Any],
    at: tuple[int, int],
) -> Changed:
    cycle = BillingCycle(str(item.get("billing_cycle", "monthly")))
    amount, currency = product.price_for(cycle.value)
    addons = _addons(item)
    for addon in addons:
        addon_product = app.in_tenant(Product, UUID(addon["product_id"]), order.tenant_id)
        addon_amount, _ = addon_product.price_for(cycle.value)
        amount += addon_amount * int(addon.get("quantity", 1))
    sid = subscription_id(order.id, *at)
    now = app.clock.now()
    first = period_at(now, customer.timezone, cycle, 0)
    is_pod = product.product_type == ProductType.CLOUDPOD.value and product.placement
    pod = None
    if is_pod and product.placement is not None:
        pod = CloudPod.order(
            subscription_id=sid,
            tenant_id=order.tenant_id,
            customer_id=customer.id,
            order_id=order.id,
            product_id=product.id,
            name=item.get("name") or f"{product.sku.lower()}-{default_subdomain(sid)[:6]}",
            template=product.sku,
            plan=product.placement["plan"],
            region=product.placement["region"],
            email=customer.email,
            subdomain=default_subdomain(CloudPod.create_id(sid)),
            actor_id=None,
            image=item.get("image"),
            ssh_public_keys=list(item.get("ssh_public_keys") or []),
        )
    subscription = Subscription(
        subscription_id=sid,
        tenant_id=order.tenant_id,
        customer_id=customer.id,
        product_id=product.id,
        product_type=product.product_type,
        order_id=order.id,
        billing_cycle=cycle.value,
        timezone=customer.timezone,
        starts_at=now,
        period_end=first.end,
        amount=amount,
        currency=currency,
        addons=addons,
        instance_id=pod.id if pod else None,
        invoice_id=order.invoice_id,
        actor_id=None,
    )
    return [subscription] + ([pod] if pod else [])


def lift_suspension(app: Billing, sid: UUID) -> Changed:
    """A renewal invoice is paid: billing's own suspension (non-payment) ends, no other."""
    subscription = app.find(Subscription, sid)
    if subscription is None or subscription.suspension_reason != OVERDUE:
        return []
    subscription.reactivate()
    changed: Changed = [subscription]
    if subscription.instance_id is not None:
        pod = app.find(CloudPod, subscription.instance_id)
        if pod is not None:
            pod.unsuspend_paid()
            changed.append(pod)
    return changed


def refund(
    app: Billing, invoice: Invoice, reason: str, series: dict[UUID, NumberSeries]
) -> Changed:
    """Give a paid invoice's money back (Stripe) and record the credit note."""
    refund_id = None
    if invoice.payment_intent_id and not invoice.payment_intent_id.startswith(MANUAL):
        refund_id = app.payments.refund(invoice.payment_intent_id, invoice.id, invoice.amount_paid)
    invoice.refund(app.credit_note(invoice.tenant_id, series), refund_id, reason, None)
    return [invoice, *series.values()]


def instance_failed(app: Billing, pod: CloudPod, code: str, message: str) -> Changed:
    """Provisioning failed for good: the order fails and its invoice is refunded."""
    if not pod.fail(code, message):
        return []
    changed: Changed = [pod]
    subscription = app.find(Subscription, pod.subscription_id)
    if subscription is not None:
        subscription.cancel(app.clock.now(), None)
        changed.append(subscription)
    order = app.find(Order, pod.order_id) if pod.order_id else None
    if order is None:
        return changed
    order.fail(code, message)
    changed.append(order)
    invoice = app.find(Invoice, order.invoice_id)
    if invoice is not None and invoice.status == "paid":
        changed += refund(app, invoice, f"provisioning failed: {code}", {})
    return changed


def renew(app: Billing, subscription: Subscription, period_end_seen: datetime) -> Changed:
    """Invoice the subscription's next period, once. Its saved payment method is charged
    after, on `subscription.renewed` (`charge_renewal`): the renewal takes the next invoice
    number, and a charge inside it would hold the series while Stripe answers."""
    if subscription.period_end != period_end_seen or not subscription.live:
        return []  # renewed (or ended) already: a repeated or late renewal
    if subscription.cancel_at_period_end:
        return end(app, subscription)
    # The subscription's period is the guard: a renewal run twice sees it moved on, and two
    # at once both append its next version, so one of them is refused on save.
    index = subscription.period_index + 1
    invoice_id = renewal_invoice_id(subscription.id, index)
    customer = app.in_tenant(Customer, subscription.customer_id, subscription.tenant_id)
    period = period_at(
        subscription.starts_at,
        subscription.timezone,
        BillingCycle(subscription.billing_cycle),
        index,
    )
    lines = [line(f"Renewal {period.start:%Y-%m-%d}", 1, subscription.amount)]
    used, carried = apply_credit(subscription.credit, subscription.amount)
    if used:
        lines.append(proration_line("Credit from a plan change", used))
    totals = price(lines, subscription.currency, None, app.tax_for(customer))
    invoice = priced_invoice(
        invoice_id,
        customer,
        totals,
        subscription.currency,
        subscription_id=subscription.id,
        period=(period.start, period.end),
    )
    series: dict[UUID, NumberSeries] = {}
    app.finalize(invoice, series)
    autopay = customer.default_payment_method is not None
    subscription.renew(index, period.start, period.end, invoice.id, carried, autopay)
    return [subscription, invoice, *series.values()]


def charge_renewal(app: Billing, invoice_id: UUID) -> Changed:
    """Charge a renewal invoice's saved payment method, as its first attempt.

    Repeated (a redelivered event, a crash after the charge), the attempt's idempotency key
    and parameters are the same, so Stripe answers the same payment intent; an invoice paid
    or charged meanwhile is left alone. A charge Stripe cannot take now is dunning's to retry.
    """
    invoice = app.find(Invoice, invoice_id)
    if invoice is None or not invoice.payable or invoice.attempts:
        return []
    customer = app.in_tenant(Customer, invoice.customer_id, invoice.tenant_id)
    try:
        outcome = app.charge_saved(invoice, customer)
    except ProviderError as error:
        log.warning("renewal invoice %s not charged now: %s", invoice.id, error.message)
        return []
    return [] if outcome is None else [customer, *charged(app, invoice, outcome)]


def charged(app: Billing, invoice: Invoice, outcome: ChargeOutcome) -> Changed:
    """Record what a charge came to."""
    attempt = invoice.next_attempt
    if outcome.succeeded and outcome.payment_intent_id:
        return settle(app, invoice, outcome.payment_intent_id, invoice.total, attempt)
    invoice.record_failure(
        attempt, outcome.payment_intent_id, outcome.error_code, outcome.error_message
    )
    return [invoice]


def end(app: Billing, subscription: Subscription) -> Changed:
    """The subscription ends (cancelled at its period's end): its CloudPod is removed."""
    subscription.cancel(app.clock.now(), None)
    changed: Changed = [subscription]
    if subscription.instance_id is not None:
        pod = app.find(CloudPod, subscription.instance_id)
        if pod is not None:
            pod.terminate("cancelled")
            changed.append(pod)
    return changed


def run_dunning(app: Billing, invoice: Invoice) -> Changed:
    """Every dunning step of the unpaid invoice whose time has come, each once."""
    if not invoice.payable or invoice.due_at is None:
        return []
    now = app.clock.now()
    changed: Changed = [invoice]
    for step in dunning.due_steps(app.rules.dunning, invoice.due_at, now, invoice.dunning_done):
        if not invoice.payable:
            break
        changed += STEPS.get(step.split(":")[0], _retry)(app, invoice, step)
        invoice.dunning_step_done(step)
    return changed


def _retry(app: Billing, invoice: Invoice, step: str) -> Changed:
    customer = app.in_tenant(Customer, invoice.customer_id, invoice.tenant_id)
    outcome = app.charge_saved(invoice, customer)
    return [] if outcome is None else [customer, *charged(app, invoice, outcome)]


def _overdue(app: Billing, invoice: Invoice, step: str) -> Changed:
    assert invoice.due_at is not None
    invoice.mark_overdue((app.clock.now() - invoice.due_at).days)
    return []


def _suspend(app: Billing, invoice: Invoice, step: str) -> Changed:
    subscription = _subscription_of(app, invoice)
    if subscription is None:
        return []
    subscription.suspend(OVERDUE)
    pod = app.find(CloudPod, subscription.instance_id) if subscription.instance_id else None
    if pod is not None:
        pod.suspend_for(OVERDUE)
    return [subscription] + ([pod] if pod else [])


def _terminate(app: Billing, invoice: Invoice, step: str) -> Changed:
    subscription = _subscription_of(app, invoice)
    return [] if subscription is None else end(app, subscription)


def _subscription_of(app: Billing, invoice: Invoice) -> Subscription | None:
    if invoice.subscription_id is None:
        return None
    return app.find(Subscription, invoice.subscription_id)


STEPS = {
    "retry": _retry,
    dunning.OVERDUE: _overdue,
    dunning.SUSPEND: _suspend,
    dunning.TERMINATE: _terminate,
}
