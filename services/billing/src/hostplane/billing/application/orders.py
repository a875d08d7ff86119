"""Handlers of the commands about money: orders, invoices, payments and subscriptions."""

from dataclasses import replace
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from hostplane.billing.application import lifecycle
from hostplane.billing.application.service import Billing, priced_invoice
from hostplane.billing.domain.catalog import Coupon, Product
from hostplane.billing.domain.cloudpod import CloudPod
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.errors import Refused, not_found
from hostplane.billing.domain.invoice import Invoice, NumberSeries
from hostplane.billing.domain.order import Order
from hostplane.billing.domain.pricing import line, price
from hostplane.billing.domain.proration import prorate, proration_line
from hostplane.billing.domain.subscription import Subscription
from hostplane.contracts.billing import InvoiceLine, InvoiceStatus, OrderLine, Period, ProductType
from hostplane.contracts.commands import billing as commands
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE, default_subdomain
from hostplane.messaging.jobs import Job

Changed = list[Aggregate]

# Stripe events that mean an invoice was paid, or that a payment of it failed.
PAID = {"checkout.session.completed", "payment_intent.succeeded"}
FAILED = {"payment_intent.payment_failed"}


def place_order(app: Billing, command: commands.PlaceOrder, job: Job) -> Changed:
    """Price the order's items, addons and coupon; the order and its invoice, finalised."""
    existing = app.find(Order, command.order_id)
    if existing is not None:
        if existing.tenant_id != command.tenant_id:
            raise not_found("order", command.order_id)
        job.succeed({"order_id": str(existing.id), "invoice_id": str(existing.invoice_id)})
        return []
    items = [item.model_dump(mode="json") for item in command.items]
    order, invoice, changed = _new_order(app, command, items)
    job.succeed({"order_id": str(order.id), "invoice_id": str(invoice.id)})
    if invoice.total == 0:  # fully discounted: nothing to pay
        changed += lifecycle.settle(app, invoice, f"{lifecycle.MANUAL}{order.id}", 0)
    return changed


def _new_order(
    app: Billing, command: commands.PlaceOrder, items: list[dict[str, Any]]
) -> tuple[Order, Invoice, Changed]:
    """The priced order and its finalised invoice, with the series and coupon they took."""
    customer = app.in_tenant(Customer, command.customer_id, command.tenant_id)
    lines, currency = _order_lines(app, command)
    coupon = None
    if command.coupon_code:
        coupon = app.find(Coupon, Coupon.create_id(command.tenant_id, command.coupon_code))
        if coupon is None:
            raise Refused("COUPON_INVALID", f"no coupon {command.coupon_code}")
        coupon.redeem(command.order_id, app.clock.now(), command.actor_id)
    totals = price(lines, currency, coupon.discount if coupon else None, app.tax_for(customer))
    invoice_id = uuid5(HOSTPLANE_NAMESPACE, f"order-invoice:{command.order_id}")
    invoice = priced_invoice(invoice_id, customer, totals, currency, order_id=command.order_id)
    series: dict[UUID, NumberSeries] = {}
    app.finalize(invoice, series)
    order = Order(
        order_id=command.order_id,
        tenant_id=command.tenant_id,
        customer_id=customer.id,
        items=items,
        coupon_code=coupon.code if coupon else None,
        invoice_id=invoice.id,
        total=invoice.total,
        currency=currency,
        actor_id=command.actor_id,
    )
    return order, invoice, [order, invoice, *series.values(), *([coupon] if coupon else [])]


def order_vps(app: Billing, command: commands.OrderVps, job: Job) -> Changed:
    """A CloudVPS order: placed, invoiced and charged to the customer's default payment
    method at once (the invoice's first attempt, so a repeated charge is Stripe's same
    answer). Paid, the order starts its subscription and asks for the VPS; declined, the
    invoice is void, the order failed and no VPS asked for (the job fails PAYMENT_FAILED).

    The charge runs within the command's numbering turn, as a plan change's does: the customer
    waits for the answer, and an invoice stored unpaid only to be charged a moment later would
    be dunning's to chase if the charge never came."""
    existing = app.find(Order, command.order_id)
    if existing is not None:
        if existing.tenant_id != command.tenant_id or existing.customer_id != command.customer_id:
            raise not_found("order", command.order_id)
        if existing.status == "failed":
            raise Refused("PAYMENT_FAILED", existing.error_message or "the payment failed")
        job.succeed({"order_id": str(existing.id), "invoice_id": str(existing.invoice_id)})
        return []
    customer = app.in_tenant(Customer, command.customer_id, command.tenant_id)
    if customer.default_payment_method is None:
        raise Refused("PAYMENT_FAILED", "add a default payment method first")
    product = _sellable(app, str(command.product_id), command.tenant_id)
    if product.placement is None:
        raise Refused("VALIDATION_ERROR", f"{product.sku} is not a VPS plan")
    item = OrderLine(product_id=str(product.id), billing_cycle=command.billing_cycle)
    place = commands.PlaceOrder(
        tenant_id=command.tenant_id,
        actor_id=command.actor_id,
        order_id=command.order_id,
        customer_id=customer.id,
        items=[item],
    )
    # What the server is built from rides on the item to its CloudPod (events show the
    # item's OrderLine fields alone).
    named = {
        **item.model_dump(mode="json"),
        "name": command.name,
        "image": command.operating_system,
        "ssh_public_keys": list(command.ssh_public_keys),
    }
    order, invoice, changed = _new_order(app, place, [named])
    # Described by the order, not the invoice's number: run again after a crash, the number
    # may be another, and the charge must be the same request under the same key.
    charge = replace(app.charge_of(invoice, 1), description=f"{product.name} - order {order.id}")
    outcome = app.payments.charge(app.payer(customer), customer.default_payment_method, charge)
    with app.together() as known:  # the order is found by what its payment starts
        known.update((aggregate.id, aggregate) for aggregate in changed)
        changed += [customer, *lifecycle.charged(app, invoice, outcome)]
    if not invoice.is_paid:
        invoice.cancel(None)
        order.fail("PAYMENT_FAILED", outcome.error_message or "the card was declined")
        job.fail("PAYMENT_FAILED", outcome.error_message or "the card was declined")
        return changed
    job.succeed({"order_id": str(order.id), "invoice_id": str(invoice.id)})
    return changed


def _order_lines(app: Billing, command: commands.PlaceOrder) -> tuple[list[InvoiceLine], str]:
    lines: list[InvoiceLine] = []
    currencies: set[str] = set()
    for item in command.items:
        product = _sellable(app, item.product_id, command.tenant_id)
        if product.product_type == ProductType.ADDON.value:
            raise Refused("VALIDATION_ERROR", f"{product.sku} is an addon of another item")
        amount, currency = product.price_for(item.billing_cycle.value)
        currencies.add(currency)
        lines.append(_line(product, item, amount))
        for addon in item.addons:
            extra = _sellable(app, addon.product_id, command.tenant_id)
            if extra.product_type != ProductType.ADDON.value:
                raise Refused("VALIDATION_ERROR", f"{extra.sku} is not an addon")
            extra_amount, extra_currency = extra.price_for(item.billing_cycle.value)
            currencies.add(extra_currency)
            quantity = addon.quantity * item.quantity
            lines.append(line(f"{extra.name} - addon", quantity, extra_amount, str(extra.id)))
    if len(currencies) != 1:
        raise Refused("VALIDATION_ERROR", "an order's items share one currency")
    return lines, currencies.pop()


def _line(product: Product, item: OrderLine, amount: int) -> InvoiceLine:
    description = f"{product.name} - {item.billing_cycle.value}"
    return line(description, item.quantity, amount, str(product.id))


def _sellable(app: Billing, product_id: str, tenant_id: UUID) -> Product:
    try:
        ident = UUID(product_id)
    except ValueError as error:
        raise not_found("product", product_id) from error
    product = app.in_tenant(Product, ident, tenant_id)
    if not product.active:
        raise Refused("PRODUCT_INACTIVE", f"{product.sku} is not sold")
    return product


# ---- invoices and payments ---------------------------------------------------------------


def create_payment_session(
    app: Billing, command: commands.CreatePaymentSession, job: Job
) -> Changed:
    """A checkout session for an unpaid invoice: the open one again, or a new one."""
    invoice = app.in_tenant(Invoice, command.invoice_id, command.tenant_id)
    if not invoice.payable:
        raise Refused("INVALID_STATE", f"invoice is {invoice.status}")
    if invoice.session is not None:
        current = app.payments.checkout_session(invoice.session["id"])
        if current.open:
            job.succeed({"session_id": current.id, "checkout_url": current.url})
            return []
    customer = app.in_tenant(Customer, invoice.customer_id, invoice.tenant_id)
    session = app.payments.open_checkout(
        app.payer(customer),
        app.charge_of(invoice, invoice.sessions_opened + 1),
        command.success_url,
        command.cancel_url,
    )
    invoice.open_session(session.id, session.url, session.expires_at)
    job.succeed({"session_id": session.id, "checkout_url": session.url})
    return [invoice, customer]


def record_stripe_event(app: Billing, command: commands.RecordStripeEvent, job: Job) -> Changed:
    """A verified Stripe event about the invoice: whatever order events come in, the paid
    ones pay it once and the failed ones are recorded once."""
    invoice = app.in_tenant(Invoice, command.invoice_id, command.tenant_id)
    intent = command.payment_intent_id
    if command.event_type in PAID and intent:
        return lifecycle.settle(app, invoice, intent, command.amount or invoice.total)
    if command.event_type in FAILED:
        invoice.record_failure(
            invoice.next_attempt,
            intent,
            command.failure_code or "card_declined",
            command.failure_message or "the payment failed",
        )
        return [invoice]
    return []


def set_invoice_status(app: Billing, command: commands.SetInvoiceStatus, job: Job) -> Changed:
    """An admin's change, through the invoice's own rules."""
    invoice = app.in_tenant(Invoice, command.invoice_id, command.tenant_id)
    status = command.status
    if status.value == invoice.status:
        return []
    series: dict[UUID, NumberSeries] = {}
    if status == InvoiceStatus.UNPAID and invoice.status == InvoiceStatus.DRAFT.value:
        app.finalize(invoice, series)
        return [invoice, *series.values()]
    if status == InvoiceStatus.PAID and invoice.payable:
        manual = f"{lifecycle.MANUAL}{job.id}"
        return lifecycle.settle(app, invoice, manual, invoice.total)
    if status == InvoiceStatus.CANCELLED:
        invoice.cancel(command.actor_id)
        return [invoice]
    if status == InvoiceStatus.REFUNDED:
        return lifecycle.refund(app, invoice, "refunded by an admin", series)
    raise Refused("INVALID_STATE", f"a {invoice.status} invoice cannot become {status.value}")


def run_dunning(app: Billing, command: commands.RunDunning, job: Job) -> Changed:
    invoice = app.in_tenant(Invoice, command.invoice_id, command.tenant_id)
    return lifecycle.run_dunning(app, invoice)


# ---- subscriptions and CloudPods ---------------------------------------------------------


def renew_subscription(app: Billing, command: commands.RenewSubscription, job: Job) -> Changed:
    subscription = app.in_tenant(Subscription, command.subscription_id, command.tenant_id)
    return lifecycle.renew(app, subscription, command.period_end)


def cancel_subscription(app: Billing, command: commands.CancelSubscription, job: Job) -> Changed:
    subscription = app.in_tenant(Subscription, command.subscription_id, command.tenant_id)
    if command.at_period_end:
        subscription.schedule_cancel(command.actor_id)
        return [subscription]
    return lifecycle.end(app, subscription)


def change_plan(app: Billing, command: commands.ChangeSubscriptionPlan, job: Job) -> Changed:
    """Move to another product now; the difference is prorated (see the README)."""
    subscription = app.in_tenant(Subscription, command.subscription_id, command.tenant_id)
    product = _sellable(app, str(command.product_id), command.tenant_id)
    if product.product_type != subscription.product_type:
        raise Refused("VALIDATION_ERROR", "a plan changes to a product of the same type")
    cycle = (command.billing_cycle or subscription.billing_cycle).__str__()
    amount, currency = product.price_for(cycle)
    if currency != subscription.currency:
        raise Refused("VALIDATION_ERROR", "a plan changes within one currency")
    period = Period(start=subscription.period_start, end=subscription.period_end)
    delta = prorate(subscription.amount, amount, period, app.clock.now())
    changed: Changed = [subscription]
    invoice_id = None
    if delta > 0:
        customer = app.in_tenant(Customer, subscription.customer_id, subscription.tenant_id)
        invoice_id = uuid5(HOSTPLANE_NAMESPACE, f"proration:{job.id}")
        lines = [proration_line(f"{product.name} for the rest of the period", delta)]
        totals = price(lines, currency, None, app.tax_for(customer))
        invoice = priced_invoice(
            invoice_id, customer, totals, currency, subscription_id=subscription.id
        )
        series: dict[UUID, NumberSeries] = {}
        app.finalize(invoice, series)
        changed += [invoice, *series.values()]
        outcome = app.charge_saved(invoice, customer)
        if outcome is not None:
            changed += [customer, *lifecycle.charged(app, invoice, outcome)]
    subscription.change_plan(
        product.id,
        product.product_type,
        cycle,
        amount,
        min(delta, 0),
        invoice_id,
        command.actor_id,
    )
    return changed


def request_cloudpod(app: Billing, command: commands.RequestCloudPod, job: Job) -> Changed:
    """An admin asks for a subscription's CloudPod by hand."""
    subscription = app.in_tenant(Subscription, command.subscription_id, command.tenant_id)
    if app.find(CloudPod, CloudPod.create_id(subscription.id)) is not None:
        return []
    product = app.in_tenant(Product, subscription.product_id, command.tenant_id)
    if product.placement is None:
        raise Refused("VALIDATION_ERROR", f"{product.sku} is not a cloudpod")
    customer = app.in_tenant(Customer, subscription.customer_id, command.tenant_id)
    pod = CloudPod.order(
        subscription_id=subscription.id,
        tenant_id=command.tenant_id,
        customer_id=customer.id,
        order_id=subscription.order_id,
        product_id=product.id,
        name=command.name,
        template=product.sku,
        plan=product.placement["plan"],
        region=product.placement["region"],
        email=customer.email,
        subdomain=default_subdomain(CloudPod.create_id(subscription.id)),
        actor_id=command.actor_id,
        image=None,
        ssh_public_keys=None,
    )
    job.succeed({"instance_id": str(pod.id)})
    return [pod]


HANDLERS: dict[type[Any], Any] = {
    commands.PlaceOrder: place_order,
    commands.OrderVps: order_vps,
    commands.CreatePaymentSession: create_payment_session,
    commands.RecordStripeEvent: record_stripe_event,
    commands.SetInvoiceStatus: set_invoice_status,
    commands.RunDunning: run_dunning,
    commands.RenewSubscription: renew_subscription,
    commands.CancelSubscription: cancel_subscription,
    commands.ChangeSubscriptionPlan: change_plan,
    commands.RequestCloudPod: request_cloudpod,
}
