"""Scenarios: a CloudVPS customer saves cards (one the default), removes one, and orders a VPS
paid at once with the default card — declined, the invoice is void and no VPS is asked for."""

from uuid import UUID, uuid4

from hostplane.billing.application.orders import order_vps
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.invoice import Invoice
from hostplane.billing.domain.order import Order
from hostplane.contracts import billing_events as be
from hostplane.contracts.billing import OrderLine
from hostplane.contracts.commands import billing as c
from hostplane.contracts.commands import provisioning as pc
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.commands import OutgoingCommand
from hostplane.messaging.jobs import Job
from services.billing.tests.flows.conftest import World
from services.billing.tests.flows.test_order_to_cloudpod import TENANT, _shop


def _attach(world: World, customer: UUID, card: str, default: bool = False) -> str:
    job = world.send(
        c.AttachPaymentMethod(
            tenant_id=TENANT, customer_id=customer, payment_method_id=card, set_as_default=default
        )
    )
    assert job.status == "succeeded", job.error_message
    return str(job.result["payment_method_id"])


def _customer(world: World, customer: UUID) -> Customer:
    found: Customer = world.app.repository.get(customer)
    return found


def _order_vps(world: World, customer: UUID, product: UUID, order_id: UUID, job_id: UUID) -> str:
    command = c.OrderVps(
        tenant_id=TENANT,
        order_id=order_id,
        customer_id=customer,
        product_id=product,
        name="Web Server 01",
    )
    job = world.send(command, job_id)
    return f"{job.status}:{job.error_code or ''}"


def _creates(world: World) -> list[pc.CreateInstance]:
    return [
        o.command
        for o in world.publish()
        if isinstance(o, OutgoingCommand) and isinstance(o.command, pc.CreateInstance)
    ]


def test_the_first_card_is_the_default_and_another_becomes_it_when_asked(world: World) -> None:
    customer, _ = _shop(world)

    visa = _attach(world, customer, "pm_card_visa")
    master = _attach(world, customer, "pm_card_mastercard")
    assert _customer(world, customer).default_payment_method == visa
    _attach(world, customer, "pm_card_mastercard", default=True)

    saved = _customer(world, customer)
    assert [card["id"] for card in saved.payment_methods] == [visa, master]
    assert saved.default_payment_method == master
    assert world.payments.defaults[saved.stripe_customer_id or ""] == master
    added = [
        o.payload
        for o in world.publish()
        if isinstance(o, OutgoingEvent) and isinstance(o.payload, be.CustomerPaymentMethodAdded)
    ]
    assert [event.payment_method_id for event in added] == [visa, master, master]
    assert added[-1].default_payment_method == master and len(added[-1].payment_methods) == 2


def test_a_card_stripe_refuses_is_a_payment_failure_and_nothing_is_saved(world: World) -> None:
    customer, _ = _shop(world)

    job = world.send(
        c.AttachPaymentMethod(
            tenant_id=TENANT, customer_id=customer, payment_method_id="pm_card_visa_chargeDeclined"
        )
    )

    assert (job.status, job.error_code) == ("failed", "PAYMENT_FAILED")
    assert _customer(world, customer).payment_methods == []


def test_a_removed_card_is_detached_and_another_customers_is_not_found(world: World) -> None:
    customer, _ = _shop(world)
    visa = _attach(world, customer, "pm_card_visa")
    other = uuid4()
    world.send(
        c.CreateCustomer(tenant_id=TENANT, customer_id=other, name="Al", email="al@example.com")
    )

    stranger = world.send(
        c.DetachPaymentMethod(tenant_id=TENANT, customer_id=other, payment_method_id=visa)
    )
    removed = world.send(
        c.DetachPaymentMethod(tenant_id=TENANT, customer_id=customer, payment_method_id=visa)
    )

    assert (stranger.status, stranger.error_code) == ("failed", "NOT_FOUND")
    assert removed.status == "succeeded"
    saved = _customer(world, customer)
    assert saved.payment_methods == [] and saved.default_payment_method is None
    assert visa not in world.payments.owners


def test_a_vps_order_is_charged_once_and_asks_for_its_vps_once(world: World) -> None:
    customer, product = _shop(world)
    _attach(world, customer, "pm_card_visa")
    order_id, job_id = uuid4(), uuid4()

    first = _order_vps(world, customer, product, order_id, job_id)
    again = _order_vps(world, customer, product, order_id, job_id)  # redelivered
    retried = _order_vps(world, customer, product, order_id, uuid4())  # sent again

    assert first == again == retried == "succeeded:"
    order: Order = world.app.repository.get(order_id)
    invoice: Invoice = world.app.repository.get(order.invoice_id)
    assert (invoice.status, order.status) == ("paid", "provisioning")
    assert world.payments.successful_charges(invoice.id) == 1
    creates = _creates(world)
    assert [create.instance_id for create in creates] == order.instance_ids
    pods = [world.app.repository.get(pod) for pod in order.instance_ids]
    assert [pod.name for pod in pods] == ["Web Server 01"]


def test_a_vps_order_asks_for_its_server_from_the_chosen_image_with_the_keys(
    world: World,
) -> None:
    customer, product = _shop(world)
    _attach(world, customer, "pm_card_visa")
    order_id = uuid4()
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 ops@example.com"
    command = c.OrderVps(
        tenant_id=TENANT,
        order_id=order_id,
        customer_id=customer,
        product_id=product,
        name="Web Server 02",
        operating_system="debian-12",
        ssh_public_keys=[key],
    )

    job = world.send(command, uuid4())

    assert job.status == "succeeded", job.error_message
    [create] = _creates(world)
    assert (create.image, create.ssh_public_keys) == ("debian-12", [key])


def test_a_vps_order_without_an_image_asks_for_the_default_one(world: World) -> None:
    customer, product = _shop(world)
    _attach(world, customer, "pm_card_visa")

    assert _order_vps(world, customer, product, uuid4(), uuid4()) == "succeeded:"

    [create] = _creates(world)
    assert (create.image, create.ssh_public_keys) == (None, [])


def test_a_declined_vps_order_voids_its_invoice_and_asks_for_no_vps(world: World) -> None:
    customer, product = _shop(world)
    _attach(world, customer, "pm_card_chargeCustomerFail")
    order_id = uuid4()

    first = _order_vps(world, customer, product, order_id, uuid4())
    retried = _order_vps(world, customer, product, order_id, uuid4())

    assert first == retried == "failed:PAYMENT_FAILED"
    order: Order = world.app.repository.get(order_id)
    invoice: Invoice = world.app.repository.get(order.invoice_id)
    assert (order.status, invoice.status) == ("failed", "cancelled")
    assert invoice.attempts == 1
    assert _creates(world) == []


def test_a_vps_order_without_a_default_card_is_refused_with_nothing_stored(world: World) -> None:
    customer, product = _shop(world)
    order_id = uuid4()

    outcome = _order_vps(world, customer, product, order_id, uuid4())

    assert outcome == "failed:PAYMENT_FAILED"
    assert world.app.find(Order, order_id) is None
    assert world.payments.charges == {}


def test_a_vps_order_run_again_after_a_crash_is_the_same_charge(world: World) -> None:
    customer, product = _shop(world)
    _attach(world, customer, "pm_card_visa")
    order_id = uuid4()
    command = c.OrderVps(
        tenant_id=TENANT, order_id=order_id, customer_id=customer, product_id=product, name="web"
    )
    # Charged, then the process dies before it stores anything; meanwhile another order
    # takes the invoice number this one had.
    order_vps(world.app, command, Job(job_id=uuid4(), command="OrderVps", subject_id=order_id))
    world.send(
        c.PlaceOrder(
            tenant_id=TENANT,
            order_id=uuid4(),
            customer_id=customer,
            items=[OrderLine(product_id=str(product))],
        )
    )

    outcome = _order_vps(world, customer, product, order_id, uuid4())

    assert outcome == "succeeded:"
    order: Order = world.app.repository.get(order_id)
    assert world.payments.successful_charges(order.invoice_id) == 1
