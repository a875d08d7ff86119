"""Subscriptions stored straight into a running stack's billing, as paid orders leave them.

The stack's billing replicas publish them; metrics shows them; billing's clock, moved past
their period's end, renews them. Customers may have a card saved at the stack's Stripe
(cloudsim), so that each renewal charges it.
"""

from dataclasses import asdict
from datetime import datetime
from uuid import UUID, uuid4

import psycopg

from hostplane.billing.adapters.payments import Payer
from hostplane.billing.adapters.stripe_payments import StripePayments
from hostplane.billing.application import Billing
from hostplane.billing.bootstrap import bootstrap
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.periods import period_at
from hostplane.billing.domain.subscription import Subscription
from hostplane.billing.settings import Settings
from hostplane.contracts.billing import BillingCycle
from hostplane.contracts.identity import tenant_id_for
from tests.stack import Stack

SAVE_BATCH = 500
ZONE = "Europe/Berlin"


def _topic(kind: type) -> str:
    return f"{kind.__module__}:{kind.__qualname__}"


RENEWED = _topic(Subscription.Renewed)


def billing_app(stack: Stack) -> Billing:
    """Billing's application on the stack's database, as its replicas are configured."""
    env = stack.processes.env
    return bootstrap(
        Settings(
            database_url=stack.database_url,
            event_store_cipher_key=env["EVENT_STORE_CIPHER_KEY"],
            config_secrets_key=env["CONFIG_SECRETS_KEY"],
            stripe_secret_key=env["STRIPE_SECRET_KEY"],
            stripe_api_base=env["STRIPE_API_BASE"],
        )
    )


def seed_subscriptions(
    stack: Stack, count: int, customers: int, started: datetime, saved_cards: bool = False
) -> list[UUID]:
    """`count` monthly subscriptions started at `started`, over `customers` customers."""
    app = billing_app(stack)
    tenant = tenant_id_for("Hostplane")
    stripe = StripePayments(stack.processes.env["STRIPE_API_BASE"], "sk_test_e2e")
    people = []
    for n in range(customers):
        customer = Customer(
            customer_id=uuid4(),
            tenant_id=tenant,
            name=f"Seeded {n}",
            email=f"seeded{n}@example.com",
            phone="",
            address={"country": "DE"},
            timezone=ZONE,
            actor_id=None,
            account_id=None,
        )
        if saved_cards:
            payer = Payer(customer.id, tenant, customer.email, customer.name, None)
            provider_id = stripe.ensure_customer(payer)
            customer.link_stripe(provider_id)
            card = stripe.attach_payment_method(provider_id, "pm_card_visa")
            customer.add_payment_method(asdict(card), make_default=True, actor_id=None)
        people.append(customer)
    app.save(*people)
    end = period_at(started, ZONE, BillingCycle.MONTHLY, 0).end
    ids = []
    for first in range(0, count, SAVE_BATCH):
        batch = [
            Subscription(
                subscription_id=uuid4(),
                tenant_id=tenant,
                customer_id=people[n % customers].id,
                product_id=uuid4(),
                product_type="backup",
                order_id=None,
                billing_cycle="monthly",
                timezone=ZONE,
                starts_at=started,
                period_end=end,
                amount=999,
                currency="USD",
                addons=[],
                instance_id=None,
                invoice_id=uuid4(),
                actor_id=None,
            )
            for n in range(first, min(first + SAVE_BATCH, count))
        ]
        app.save(*batch)
        ids += [s.id for s in batch]
    app.close()
    return ids


def count(stack: Stack, query: str, *args: object) -> int:
    with psycopg.connect(stack.database_url) as conn:
        row = conn.execute(query, args).fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row else 0


def renewed(stack: Stack) -> int:
    """Renewals billing has stored (one per subscription and period, or a double)."""
    return count(stack, "SELECT count(*) FROM billing.billing_events WHERE topic = %s", RENEWED)


def subscriptions_shown(stack: Stack) -> int:
    return count(stack, "SELECT count(*) FROM views.subscriptions")


def doubled_periods(stack: Stack) -> int:
    """(subscription, period) pairs with more than one invoice in the read models."""
    return count(
        stack,
        "SELECT count(*) FROM (SELECT subscription_id, period_start FROM views.invoices "
        "WHERE subscription_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d",
    )
