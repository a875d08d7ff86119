"""Seed 003's `user_id` for a billing customer's webhooks, on the real Kafka and PostgreSQL:
billing's events name the customer, and billing.events tells of the customer and its account
(or that it has none, as an mPanel tenant's customer), whichever topic is consumed first. A
webhook about a customer told of goes at once; one about a customer not told of yet waits."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hostplane.contracts import billing_events as b
from hostplane.contracts import events as e
from hostplane.contracts.billing import Address, InvoiceLine, InvoiceStatus
from services.webhooks.tests.component.conftest import OWNER_WAIT, Service
from services.webhooks.tests.component.receiver import Received
from tests.conftest import wait_until


def registered(account_id: UUID, customer_id: UUID) -> b.AccountRegistered:
    return b.AccountRegistered(
        occurred_at=datetime.now(UTC),
        tenant_id=uuid.uuid4(),
        account_id=account_id,
        customer_id=customer_id,
        email=f"{account_id.hex[:8]}@example.com",
        name="Jo Doe",
        role="user",
        status="active",
        password=None,
        password_changed_at=None,
    )


def ordered(instance_id: UUID, customer_id: UUID) -> e.InstanceCreated:
    """A VPS billing ordered for its customer (WHMCS ids 0)."""
    return e.InstanceCreated(
        occurred_at=datetime.now(UTC),
        instance_id=instance_id,
        job_id=None,
        whmcs_service_id=0,
        whmcs_client_id=0,
        plan="starter",
        region="eu-frankfurt",
        email="jo@example.com",
        subdomain=f"vps-{instance_id.hex[:6]}",
        server_type="cx22",
        location="fsn1",
        ai_preset=None,
        ready_token_sha256="0" * 64,
        customer_id=customer_id,
    )


def customer(customer_id: UUID, account_id: UUID | None) -> b.CustomerCreated:
    """A customer billing made: an account's (`account_id`) or an mPanel operator's (None)."""
    return b.CustomerCreated(
        occurred_at=datetime.now(UTC),
        tenant_id=uuid.uuid4(),
        customer_id=customer_id,
        name="Jo Doe",
        email=f"{customer_id.hex[:8]}@example.com",
        phone="",
        address=Address(),
        timezone="UTC",
        status="active",
        stripe_customer_id=None,
        account_id=account_id,
    )


def paid(invoice_id: UUID, customer_id: UUID) -> b.InvoicePaid:
    now = datetime.now(UTC)
    return b.InvoicePaid(
        occurred_at=now,
        invoice_id=invoice_id,
        tenant_id=uuid.uuid4(),
        customer_id=customer_id,
        status=InvoiceStatus.PAID,
        number="INV-2026-000001",
        currency="USD",
        lines=[InvoiceLine(description="Starter", quantity=1, unit_amount=999, amount=999)],
        subtotal=999,
        tax=0,
        tax_rate_bp=0,
        tax_country="US",
        total=999,
        amount_paid=999,
        amount_refunded=0,
        order_id=None,
        subscription_id=None,
        period_start=now,
        period_end=now,
        issued_at=now,
        due_at=now,
        paid_at=now,
    )


def data(received: Received) -> dict[str, object]:
    body: dict[str, object] = json.loads(received.body)["data"]
    return body


def waiting(service: Service, endpoint_id: UUID) -> tuple[object, ...] | None:
    """The endpoint's delivery that waits, unattempted, for its customer's account."""
    return service.row(
        "SELECT id FROM deliveries WHERE endpoint_id = %s AND attempts = 0 "
        "AND awaiting_owner IS NOT NULL",
        endpoint_id,
    )


def test_a_registered_customers_vps_and_invoice_name_the_account_as_user(
    service: Service,
) -> None:
    _, path, _ = service.endpoint(["vps.created", "invoice.paid", "user.registered"])
    account_id, customer_id = uuid.uuid4(), uuid.uuid4()
    service.event(registered(account_id, customer_id), account_id, 1)
    service.event(registered(account_id, customer_id), account_id, 1)  # published again
    instance_id, invoice_id = uuid.uuid4(), uuid.uuid4()
    service.event(ordered(instance_id, customer_id), instance_id, 1)
    service.event(paid(invoice_id, customer_id), invoice_id, 3)

    got = wait_until(lambda: len(r := service.receiver.at(path)) == 3 and r, 30, what="3")
    by_event = {json.loads(r.body)["event"]: data(r) for r in got}
    assert by_event["user.registered"]["user_id"] == str(account_id)
    vps = by_event["vps.created"]
    assert (vps["vps_id"], vps["user_id"], vps["plan"]) == (
        str(instance_id),
        str(account_id),
        "starter",
    )
    assert vps["status"] == "creating"
    invoice = by_event["invoice.paid"]
    assert (invoice["user_id"], invoice["customer_id"]) == (str(account_id), str(customer_id))
    assert all(r.seed_valid and r.standard_valid for r in got)
    assert service.row("SELECT count(*) FROM customers WHERE customer_id = %s", customer_id) == (1,)


def test_a_vps_consumed_before_its_accounts_registration_still_names_the_account(
    service: Service,
) -> None:
    endpoint_id, path, _ = service.endpoint(["vps.created"])
    service.receiver.answers[path] = [(500, {})]  # the first attempt fails: the retry is alike
    account_id, customer_id, instance_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    service.event(ordered(instance_id, customer_id), instance_id, 1)
    wait_until(service.consumed, 30, what="the VPS event consumed")
    assert waiting(service, endpoint_id) is not None
    assert service.receiver.at(path) == []

    service.event(registered(account_id, customer_id), account_id, 1)

    [first] = wait_until(lambda: service.receiver.at(path), 30, what="the first attempt")
    assert data(first)["user_id"] == str(account_id)
    service.move_clock(timedelta(seconds=6))  # past the first retry's wait (at most 5 s)
    [_, second] = wait_until(lambda: len(r := service.receiver.at(path)) == 2 and r, 30)
    assert second.body == first.body
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert second.seed_valid and second.standard_valid
    wait_until(
        lambda: (
            service.row("SELECT status FROM deliveries WHERE endpoint_id = %s", endpoint_id)
            == ("delivered",)
        ),
        30,
    )
    stored = service.row(
        "SELECT body, awaiting_owner FROM deliveries WHERE endpoint_id = %s", endpoint_id
    )
    assert stored is not None and (bytes(stored[0]), stored[1]) == (first.body, None)


def test_a_customer_never_told_of_is_told_of_with_no_user_after_the_wait(
    service: Service,
) -> None:
    endpoint_id, path, _ = service.endpoint(["invoice.paid"])
    customer_id, invoice_id = uuid.uuid4(), uuid.uuid4()  # billing.events never names it
    service.event(paid(invoice_id, customer_id), invoice_id, 3)
    wait_until(service.consumed, 30, what="the invoice event consumed")
    assert waiting(service, endpoint_id) is not None

    service.move_clock(OWNER_WAIT + timedelta(seconds=1))  # past WEBHOOKS_OWNER_WAIT_S

    [got] = wait_until(lambda: service.receiver.at(path), 30, what="the delivery")
    assert (data(got)["invoice_id"], data(got)["user_id"]) == (str(invoice_id), None)
    assert data(got)["customer_id"] == str(customer_id)


def test_an_mpanel_customers_invoice_goes_at_once_with_no_user(service: Service) -> None:
    _, path, _ = service.endpoint(["invoice.paid"])
    customer_id, invoice_id = uuid.uuid4(), uuid.uuid4()
    service.event(customer(customer_id, None), customer_id, 1)
    wait_until(service.consumed, 30, what="the customer event consumed")

    service.event(paid(invoice_id, customer_id), invoice_id, 3)

    [got] = wait_until(lambda: service.receiver.at(path), 30, what="the delivery")
    assert (data(got)["invoice_id"], data(got)["user_id"]) == (str(invoice_id), None)
    assert data(got)["customer_id"] == str(customer_id)
    assert got.seed_valid and got.standard_valid


def test_a_cloudvps_customers_invoice_names_its_account_at_once(service: Service) -> None:
    _, path, _ = service.endpoint(["invoice.paid"])
    account_id, customer_id, invoice_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    service.event(customer(customer_id, account_id), customer_id, 1)
    wait_until(service.consumed, 30, what="the customer event consumed")

    service.event(paid(invoice_id, customer_id), invoice_id, 3)

    [got] = wait_until(lambda: service.receiver.at(path), 30, what="the delivery")
    assert (data(got)["user_id"], data(got)["customer_id"]) == (str(account_id), str(customer_id))


def test_an_unknown_customers_invoice_waits_and_goes_once_its_customer_is_told_of(
    service: Service,
) -> None:
    endpoint_id, path, _ = service.endpoint(["invoice.paid"])
    customer_id, invoice_id = uuid.uuid4(), uuid.uuid4()
    service.event(paid(invoice_id, customer_id), invoice_id, 3)
    wait_until(service.consumed, 30, what="the invoice event consumed")
    assert waiting(service, endpoint_id) is not None
    assert service.receiver.at(path) == []

    service.event(customer(customer_id, None), customer_id, 1)

    [got] = wait_until(lambda: service.receiver.at(path), 30, what="the delivery")
    assert (data(got)["invoice_id"], data(got)["user_id"]) == (str(invoice_id), None)
    assert waiting(service, endpoint_id) is None


def test_a_customer_told_of_without_its_account_gets_it_from_the_accounts_event(
    service: Service,
) -> None:
    _, path, _ = service.endpoint(["invoice.paid"])
    account_id, customer_id, invoice_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # A customer event published before customers carried their account, and its account's.
    service.event(customer(customer_id, None), customer_id, 1)
    service.event(registered(account_id, customer_id), account_id, 1)
    service.event(customer(customer_id, None), customer_id, 1)  # published again
    wait_until(
        lambda: (
            service.row("SELECT account_id FROM customers WHERE customer_id = %s", customer_id)
            == (account_id,)
        ),
        30,
        what="the account learnt",
    )
    wait_until(service.consumed, 30, what="every customer event consumed")

    service.event(paid(invoice_id, customer_id), invoice_id, 3)

    [got] = wait_until(lambda: service.receiver.at(path), 30, what="the delivery")
    assert data(got)["user_id"] == str(account_id)
