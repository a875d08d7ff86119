"""Scenarios: an order becomes an invoice, a payment, a subscription and a CloudPod request;
renewals invoice each period once; dunning suspends, and paying lifts it."""

from datetime import timedelta
from uuid import UUID, uuid4

from hostplane.billing.application import handle_commands_together, lifecycle
from hostplane.billing.domain.invoice import Invoice
from hostplane.billing.domain.order import Order
from hostplane.billing.domain.subscription import Subscription
from hostplane.billing.entrypoints.consumers import INSTANCE_OUTCOMES
from hostplane.contracts import billing_events as be
from hostplane.contracts import events as contract
from hostplane.contracts.billing import (
    Address,
    BillingCycle,
    CloudPodPlacement,
    CouponKind,
    OrderLine,
    Price,
    ProductType,
)
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.commands import billing as c
from hostplane.contracts.commands import provisioning as pc
from hostplane.contracts.identity import cloudpod_instance_id, tenant_id_for
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.commands import OutgoingCommand
from services.billing.tests.flows.conftest import World

TENANT = tenant_id_for("Hostplane")


def _shop(world: World) -> tuple[UUID, UUID]:
    world.app.ensure_first_admin("Hostplane", "admin@example.com", "a-long-admin-password")
    customer, product = uuid4(), uuid4()
    world.send(
        c.CreateCustomer(
            tenant_id=TENANT,
            customer_id=customer,
            name="Jo Doe",
            email="jo@example.com",
            address=Address(country="DE"),
            timezone="Europe/Berlin",
        )
    )
    job = world.send(
        c.CreateProduct(
            tenant_id=TENANT,
            product_id=product,
            name="CloudPod Mini",
            product_type=ProductType.CLOUDPOD,
            sku="CPOD-MINI",
            prices=[Price(cycle=BillingCycle.MONTHLY, amount=999, currency="USD")],
            placement=CloudPodPlacement(plan=Plan.STARTER, region=Region.EU_FRANKFURT),
        )
    )
    assert job.status == "succeeded", job.error_message
    return customer, product


def _order(world: World, customer: UUID, product: UUID, coupon: str | None = None) -> Invoice:
    order_id = uuid4()
    job = world.send(
        c.PlaceOrder(
            tenant_id=TENANT,
            order_id=order_id,
            customer_id=customer,
            items=[OrderLine(product_id=str(product))],
            coupon_code=coupon,
        )
    )
    assert job.status == "succeeded", job.error_message
    invoice: Invoice = world.app.repository.get(UUID(job.result["invoice_id"]))
    return invoice


def _pay(world: World, invoice: Invoice, event_id: str, intent: str = "pi_1") -> None:
    world.send(
        c.RecordStripeEvent(
            tenant_id=TENANT,
            invoice_id=invoice.id,
            event_id=event_id,
            event_type="checkout.session.completed",
            created=0,
            payment_intent_id=intent,
            amount=invoice.total,
        )
    )


def _instance_active(world: World, instance_id: UUID) -> None:
    """Provisioning reports the CloudPod's instance active (as `vps.active`)."""
    event = contract.InstanceActivated(occurred_at=world.clock.now(), instance_id=instance_id)
    INSTANCE_OUTCOMES[contract.InstanceActivated](world.app, event, None)


def _commands(world: World, kind: type) -> list[OutgoingCommand]:
    return [
        o for o in world.publish() if isinstance(o, OutgoingCommand) and type(o.command) is kind
    ]


def _events(world: World, kind: type) -> list[OutgoingEvent]:
    return [o for o in world.publish() if isinstance(o, OutgoingEvent) and type(o.payload) is kind]


def test_an_order_is_priced_numbered_and_taxed_by_the_customers_country(world: World) -> None:
    customer, product = _shop(world)
    world.send(
        c.CreateCoupon(
            tenant_id=TENANT, coupon_id=uuid4(), code="WELCOME10", kind=CouponKind.PERCENT, value=10
        )
    )

    invoice = _order(world, customer, product, coupon="welcome10")

    assert invoice.number == "INV-2026-000001"
    assert sum(line["amount"] for line in invoice.lines) == invoice.subtotal == 999 - 100
    assert invoice.tax == 171  # 19 % of 8.99, half up
    assert invoice.total == invoice.subtotal + invoice.tax
    assert _order(world, customer, product).number == "INV-2026-000002"


def test_a_paid_order_starts_its_subscription_and_asks_for_its_cloudpod_once(world: World) -> None:
    customer, product = _shop(world)
    invoice = _order(world, customer, product)

    _pay(world, invoice, "evt_1")
    _pay(world, invoice, "evt_1")  # the same event again, as another job
    _pay(world, invoice, "evt_2")  # payment_intent.succeeded for the same intent

    order: Order = world.app.repository.get(invoice.order_id)
    assert order.status == "provisioning"
    (sid,) = order.subscription_ids
    creates = _commands(world, pc.CreateInstance)
    assert [o.aggregate_id for o in creates] == [cloudpod_instance_id(sid)]
    assert creates[0].command.subscription_id == sid  # type: ignore[attr-defined]
    assert len(_events(world, be.PaymentSucceeded)) == 1
    assert len(_events(world, be.InvoicePaid)) == 1


def test_a_renewal_makes_one_invoice_per_period_however_often_it_runs(world: World) -> None:
    customer, product = _shop(world)
    _pay(world, _order(world, customer, product), "evt_1")
    order: Order = world.app.repository.get(_events(world, be.OrderPaid)[0].aggregate_id)
    subscription: Subscription = world.app.repository.get(order.subscription_ids[0])
    # Started Jan 31 (Berlin): the first period ends on the last day of February.
    assert subscription.period_end.date().isoformat() == "2026-02-28"

    world.clock.move(timedelta(days=29))
    for _ in range(3):
        world.send(
            c.RenewSubscription(
                tenant_id=TENANT,
                subscription_id=subscription.id,
                period_end=subscription.period_end,
            )
        )

    renewed = _events(world, be.SubscriptionRenewed)
    assert len(renewed) == 1
    finalized = [e for e in _events(world, be.InvoiceFinalized)]
    assert len(finalized) == 2  # the order's and one renewal
    current: Subscription = world.app.repository.get(subscription.id)
    assert current.period_end.date().isoformat() == "2026-03-31"


def test_a_renewal_charges_the_saved_card_once_after_it_is_stored(world: World) -> None:
    customer, product = _shop(world)
    world.send(
        c.AttachPaymentMethod(
            tenant_id=TENANT, customer_id=customer, payment_method_id="pm_card_visa"
        )
    )
    _pay(world, _order(world, customer, product), "evt_1")
    (sub_id,) = world.app.repository.get(
        _events(world, be.OrderPaid)[0].aggregate_id
    ).subscription_ids
    subscription: Subscription = world.app.repository.get(sub_id)
    world.clock.move(subscription.period_end - world.clock.now())
    # Another invoice takes a number first: a renewal run again numbers differently, and
    # its charge must not depend on that.
    _order(world, customer, product)
    world.send(
        c.RenewSubscription(
            tenant_id=TENANT, subscription_id=sub_id, period_end=subscription.period_end
        )
    )
    (renewed,) = _events(world, be.SubscriptionRenewed)
    renewal_id = renewed.payload.invoice_id  # type: ignore[attr-defined]
    assert world.app.repository.get(renewal_id).status == "unpaid"  # stored before the charge

    for _ in range(3):  # `subscription.renewed` delivered again, or after a crash
        world.app.save(*lifecycle.charge_renewal(world.app, renewal_id))

    renewal: Invoice = world.app.repository.get(renewal_id)
    assert renewal.status == "paid"
    assert world.payments.successful_charges(renewal_id) == 1
    assert (
        len([e for e in _events(world, be.PaymentSucceeded) if e.aggregate_id == renewal_id]) == 1
    )


def test_dunning_suspends_the_cloudpod_and_paying_unsuspends_it(world: World) -> None:
    customer, product = _shop(world)
    _pay(world, _order(world, customer, product), "evt_1")
    (sub_id,) = world.app.repository.get(
        _events(world, be.OrderPaid)[0].aggregate_id
    ).subscription_ids
    subscription: Subscription = world.app.repository.get(sub_id)
    _instance_active(world, cloudpod_instance_id(sub_id))
    world.clock.move(subscription.period_end - world.clock.now())
    world.send(
        c.RenewSubscription(
            tenant_id=TENANT, subscription_id=sub_id, period_end=subscription.period_end
        )
    )
    renewal: Invoice = world.app.repository.get(world.app.repository.get(sub_id).last_invoice_id)
    assert renewal.status == "unpaid"  # no saved card

    assert renewal.due_at is not None
    world.clock.move(renewal.due_at + timedelta(days=7) - world.clock.now())
    world.send(c.RunDunning(tenant_id=TENANT, invoice_id=renewal.id, step="suspend"))

    suspends = _commands(world, pc.SuspendInstance)
    assert [s.command.reason for s in suspends] == ["overdue"]  # type: ignore[attr-defined]
    assert len(_events(world, be.InvoiceOverdue)) == 1

    _pay(world, renewal, "evt_9", intent="pi_9")

    assert len(_commands(world, pc.UnsuspendInstance)) == 1
    assert world.app.repository.get(sub_id).status == "active"


def test_a_cloudpod_that_cannot_be_made_fails_its_order_and_refunds_it(world: World) -> None:
    customer, product = _shop(world)
    invoice = _order(world, customer, product)
    _pay(world, invoice, "evt_1", intent="pi_7")
    (sub_id,) = world.app.repository.get(invoice.order_id).subscription_ids
    event = contract.InstanceErrored(
        occurred_at=world.clock.now(),
        instance_id=cloudpod_instance_id(sub_id),
        error_code="SERVER_CREATE_FAILED",
        error_message="no capacity",
    )

    INSTANCE_OUTCOMES[contract.InstanceErrored](world.app, event, None)
    INSTANCE_OUTCOMES[contract.InstanceErrored](world.app, event, None)  # published twice

    assert world.app.repository.get(invoice.order_id).status == "failed"
    refunded: Invoice = world.app.repository.get(invoice.id)
    assert refunded.status == "refunded"
    assert refunded.credit_note_number == "CN-2026-000001"
    assert list(world.payments.refunds) == ["pi_7"]


def test_another_tenants_invoice_is_not_found_and_nothing_is_stored(world: World) -> None:
    customer, product = _shop(world)
    invoice = _order(world, customer, product)
    other = tenant_id_for("Another Brand")
    world.send(c.CreateTenant(tenant_id=other, name="Another Brand"))
    before = world.app.process_recorder.max_notification_id()

    job = world.send(
        c.CreatePaymentSession(
            tenant_id=other, invoice_id=invoice.id, success_url="https://a", cancel_url="https://b"
        )
    )

    assert (job.status, job.error_code) == ("failed", "NOT_FOUND")
    assert world.payments.sessions == {}
    stored = world.app.process_recorder.select_notifications((before or 0) + 1, 100)
    assert {n.topic.rsplit(".", 1)[-1] for n in stored} <= {"Started", "Failed"}  # its job only


def test_the_first_admin_is_made_once(world: World) -> None:
    for _ in range(2):
        world.app.ensure_first_admin("Hostplane", "admin@example.com", "a-long-admin-password")
    created = [
        e for e in world.publish() if type(getattr(e, "payload", None)) is be.OperatorCreated
    ]
    assert len(created) == 1
    assert created[0].payload.roles == ["admin"]  # type: ignore[attr-defined]


def test_renewals_carried_out_together_number_in_turn_and_run_each_once(world: World) -> None:
    customer, product = _shop(world)
    for n in range(3):
        _pay(world, _order(world, customer, product), f"evt_{n}")
    subscriptions: list[Subscription] = [
        world.app.repository.get(e.payload.subscription_id)  # type: ignore[attr-defined]
        for e in _events(world, be.SubscriptionStarted)
    ]
    world.clock.move(subscriptions[0].period_end - world.clock.now())
    renewals = [
        (
            c.RenewSubscription(tenant_id=TENANT, subscription_id=s.id, period_end=s.period_end),
            uuid4(),
        )
        for s in subscriptions
    ]
    unknown = c.RenewSubscription(
        tenant_id=TENANT, subscription_id=uuid4(), period_end=subscriptions[0].period_end
    )
    repeated = (renewals[0][0], uuid4())  # the same renewal, sent again by another term
    batch = [*renewals, renewals[1], repeated, (unknown, uuid4())]

    handle_commands_together(world.app, batch, None)
    handle_commands_together(world.app, batch, None)  # the run redelivered: its jobs exist

    renewed = _events(world, be.SubscriptionRenewed)
    assert sorted(e.payload.subscription_id for e in renewed) == sorted(  # type: ignore[attr-defined]
        s.id for s in subscriptions
    )
    numbers = [
        e.payload.number  # type: ignore[attr-defined]
        for e in _events(world, be.InvoiceFinalized)
    ]
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, 7)]  # 3 orders, 3 renewals
    jobs = [world.app.repository.get(job_id) for _, job_id in batch[:3]]
    assert [j.status for j in jobs] == ["succeeded"] * 3
    assert world.app.repository.get(batch[-1][1]).status == "failed"
