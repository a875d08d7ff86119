"""Handlers of a customer's saved payment methods: cards attached to their Stripe customer,
one of them the default that orders and renewals charge off-session.

Stripe is asked first and the customer records what it answered, in the command's save: a
card Stripe refuses (PAYMENT_FAILED) leaves nothing recorded. Every Stripe call is safe to
repeat (an attach carries an idempotency key, a detach of a detached card does nothing), so a
command run again after a crash comes to the same cards.
"""

from dataclasses import asdict
from typing import Any

from eventsourcing.domain import Aggregate

from hostplane.billing.application.service import Billing
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.errors import not_found
from hostplane.contracts.commands import billing as commands
from hostplane.messaging.jobs import Job

Changed = list[Aggregate]


def attach_payment_method(app: Billing, command: commands.AttachPaymentMethod, job: Job) -> Changed:
    """Save a card; asked to, or as the customer's first, it becomes the default."""
    customer = app.in_tenant(Customer, command.customer_id, command.tenant_id)
    payer = app.payer(customer)
    card = app.payments.attach_payment_method(payer, command.payment_method_id)
    make_default = command.set_as_default or customer.default_payment_method is None
    if make_default:
        app.payments.set_default_payment_method(payer, card.id)
    customer.add_payment_method(asdict(card), make_default, command.actor_id)
    job.succeed({"payment_method_id": card.id})
    return [customer]


def detach_payment_method(app: Billing, command: commands.DetachPaymentMethod, job: Job) -> Changed:
    """Remove one of the customer's cards (another customer's is not found)."""
    customer = app.in_tenant(Customer, command.customer_id, command.tenant_id)
    if not customer.has_payment_method(command.payment_method_id):
        raise not_found("payment method", command.payment_method_id)
    app.payments.detach_payment_method(command.payment_method_id)
    customer.remove_payment_method(command.payment_method_id, command.actor_id)
    return [customer]


HANDLERS: dict[type[Any], Any] = {
    commands.AttachPaymentMethod: attach_payment_method,
    commands.DetachPaymentMethod: detach_payment_method,
}
