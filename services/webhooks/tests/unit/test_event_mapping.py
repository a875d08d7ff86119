"""Which of Hostplane's events endpoints hear of, under which seed name, with what data."""

import json
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from hostplane.contracts import billing_events as b
from hostplane.contracts import events as e
from hostplane.contracts.billing import Address, InvoiceLine, InvoiceStatus
from hostplane.contracts.cloudvps.vps import VpsStatus
from hostplane.contracts.cloudvps.webhooks import WebhookEvent
from hostplane.contracts.identity import user_id_for
from hostplane.contracts.payload import EventPayload
from hostplane.webhooks.domain.events import (
    SOURCES,
    BillingCustomer,
    OutgoingWebhook,
    customer_of,
    webhook_for,
    with_user,
)

AT = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def translated(source: EventPayload) -> OutgoingWebhook:
    webhook = webhook_for(source)
    assert webhook is not None
    return webhook


def instance_created(instance_id: UUID, **changes: object) -> e.InstanceCreated:
    fields: dict[str, object] = {
        "occurred_at": AT,
        "instance_id": instance_id,
        "job_id": uuid4(),
        "whmcs_service_id": 42,
        "whmcs_client_id": 7,
        "plan": "pro",
        "region": "eu-central",
        "email": "owner@example.com",
        "subdomain": "abcdefghij",
        "server_type": "cx32",
        "location": "fsn1",
        "ai_preset": "anthropic",
        "ready_token_sha256": "0" * 64,
    }
    return e.InstanceCreated.model_validate(fields | changes)


def invoice_state(kind: type[b.InvoiceState], invoice_id: UUID, **extra: object) -> b.InvoiceState:
    fields: dict[str, object] = {
        "occurred_at": AT,
        "invoice_id": invoice_id,
        "tenant_id": uuid4(),
        "customer_id": uuid4(),
        "status": InvoiceStatus.UNPAID,
        "number": "INV-2026-000001",
        "currency": "EUR",
        "lines": [InvoiceLine(description="Pro", quantity=1, unit_amount=1999, amount=1999)],
        "subtotal": 1999,
        "tax": 400,
        "tax_rate_bp": 2000,
        "tax_country": "DE",
        "total": 2399,
        "amount_paid": 0,
        "amount_refunded": 0,
        "order_id": None,
        "subscription_id": uuid4(),
        "period_start": AT,
        "period_end": AT,
        "issued_at": AT,
        "due_at": datetime(2026, 3, 24, tzinfo=UTC),
        "paid_at": None,
    }
    return kind.model_validate(fields | extra)


def payment(kind: type[b.PaymentEvent], invoice_id: UUID, **extra: object) -> b.PaymentEvent:
    fields: dict[str, object] = {
        "occurred_at": AT,
        "invoice_id": invoice_id,
        "tenant_id": uuid4(),
        "customer_id": uuid4(),
        "amount": 2399,
        "currency": "EUR",
        "attempt": 2,
        "payment_intent_id": "pi_123",
    }
    return kind.model_validate(fields | extra)


def test_an_instance_created_is_vps_created_with_its_owner_and_plan() -> None:
    instance_id = uuid4()

    webhook = translated(instance_created(instance_id))

    assert webhook.payload.event is WebhookEvent.VPS_CREATED
    assert webhook.ordering_key == str(instance_id)
    assert webhook.customer_id is None  # a WHMCS client's user is known from the event
    assert webhook.payload.data == {
        "vps_id": str(instance_id),
        "status": "creating",
        "user_id": str(user_id_for(7)),
        "customer_id": None,
        "tenant_id": None,
        "subscription_id": None,
        "plan": "pro",
        "region": "eu-central",
        "location": "fsn1",
        "server_type": "cx32",
        "provider": "hetzner",
        "subdomain": "abcdefghij",
    }


def test_a_vps_billing_ordered_waits_for_its_customers_account_as_user() -> None:
    instance_id, customer_id, tenant_id, subscription_id = uuid4(), uuid4(), uuid4(), uuid4()
    source = instance_created(
        instance_id,
        whmcs_service_id=0,
        whmcs_client_id=0,
        customer_id=customer_id,
        tenant_id=tenant_id,
        subscription_id=subscription_id,
    )

    webhook = translated(source)

    assert webhook.customer_id == customer_id
    data = webhook.payload.data
    assert data["user_id"] is None
    assert data["plan"] == "pro"  # the plan's id: the event names no plan's display name
    assert data["customer_id"] == str(customer_id)
    assert data["tenant_id"] == str(tenant_id)
    assert data["subscription_id"] == str(subscription_id)


def test_the_vps_created_body_never_carries_the_ready_token_hash() -> None:
    body = translated(instance_created(uuid4(), ready_token_sha256="f" * 64)).payload.body()

    assert b"f" * 64 not in body
    assert b"ready_token" not in body


@pytest.mark.parametrize(
    ("kind", "event", "status"),
    [
        (e.InstanceActivated, WebhookEvent.VPS_STARTED, "running"),
        (e.InstanceUnsuspended, WebhookEvent.VPS_STARTED, "running"),
        (e.InstanceRebooted, WebhookEvent.VPS_STARTED, "running"),
        (e.InstanceSuspended, WebhookEvent.VPS_STOPPED, "suspended"),
        (e.InstanceStopped, WebhookEvent.VPS_STOPPED, "stopped"),
        (e.InstanceStarted, WebhookEvent.VPS_STARTED, "running"),
    ],
)
def test_instance_changes_become_started_or_stopped(
    kind: type[e.VpsEvent], event: WebhookEvent, status: str
) -> None:
    instance_id = uuid4()

    webhook = translated(kind(occurred_at=AT, instance_id=instance_id))

    assert webhook.payload.event is event
    assert webhook.payload.timestamp == AT
    assert webhook.payload.data == {"vps_id": str(instance_id), "status": status}
    assert VpsStatus(status)  # the API's own word for it
    assert webhook.ordering_key == str(instance_id)


def test_a_terminated_instance_is_vps_deleted() -> None:
    instance_id = uuid4()

    webhook = translated(
        e.InstanceTerminated(occurred_at=AT, instance_id=instance_id, data_deleted=True)
    )

    assert webhook.payload.event is WebhookEvent.VPS_DELETED
    assert webhook.payload.data == {
        "vps_id": str(instance_id),
        "status": "deleted",
        "data_deleted": True,
    }
    assert webhook.ordering_key == str(instance_id)


@pytest.mark.parametrize(
    ("kind", "event"),
    [
        (b.InvoiceCreated, WebhookEvent.INVOICE_CREATED),
        (b.InvoicePaid, WebhookEvent.INVOICE_PAID),
    ],
)
def test_billings_invoice_events_keep_their_names(
    kind: type[b.InvoiceState], event: WebhookEvent
) -> None:
    invoice_id = uuid4()
    source = invoice_state(kind, invoice_id)

    webhook = translated(source)

    assert webhook.payload.event is event
    assert webhook.ordering_key == str(invoice_id)
    assert webhook.customer_id == source.customer_id
    assert webhook.payload.data == {
        "invoice_id": str(invoice_id),
        "invoice_number": "INV-2026-000001",
        "user_id": None,
        "customer_id": str(source.customer_id),
        "tenant_id": str(source.tenant_id),
        "status": "unpaid",
        "amount": 23.99,
        "amount_paid": 0.0,
        "currency": "EUR",
        "due_date": "2026-03-24T00:00:00Z",
        "paid_date": None,
        "order_id": None,
        "subscription_id": str(source.subscription_id),
    }


def test_a_paid_invoice_says_when_and_how_much_in_major_units() -> None:
    source = invoice_state(
        b.InvoicePaid,
        uuid4(),
        status=InvoiceStatus.PAID,
        amount_paid=2399,
        paid_at=datetime(2026, 3, 12, 8, 15, tzinfo=UTC),
    )

    body = json.loads(translated(source).payload.body())

    assert body["event"] == "invoice.paid"
    assert body["timestamp"] == "2026-03-10T09:30:00Z"
    assert body["data"]["status"] == "paid"
    assert body["data"]["amount"] == 23.99
    assert body["data"]["amount_paid"] == 23.99
    assert body["data"]["paid_date"] == "2026-03-12T08:15:00Z"


def test_an_amount_in_a_currency_without_decimals_stays_whole() -> None:
    source = invoice_state(b.InvoiceCreated, uuid4(), currency="JPY", total=2400)

    body = translated(source).payload.body()

    assert b'"amount":2400,' in body


def test_an_overdue_invoice_says_for_how_many_days() -> None:
    invoice_id = uuid4()

    webhook = translated(invoice_state(b.InvoiceOverdue, invoice_id, days_overdue=3))

    assert webhook.payload.event is WebhookEvent.INVOICE_OVERDUE
    assert webhook.payload.data["days_overdue"] == 3
    assert webhook.payload.data["invoice_id"] == str(invoice_id)
    assert webhook.ordering_key == str(invoice_id)


def test_a_successful_payment_is_payment_succeeded_in_its_invoices_order() -> None:
    invoice_id = uuid4()
    source = payment(b.PaymentSucceeded, invoice_id)

    webhook = translated(source)

    assert webhook.payload.event is WebhookEvent.PAYMENT_SUCCEEDED
    assert webhook.ordering_key == str(invoice_id)
    assert webhook.customer_id == source.customer_id
    assert webhook.payload.data == {
        "invoice_id": str(invoice_id),
        "user_id": None,
        "customer_id": str(source.customer_id),
        "tenant_id": str(source.tenant_id),
        "amount": 23.99,
        "currency": "EUR",
        "attempt": 2,
        "payment_intent_id": "pi_123",
    }


def test_a_failed_payment_says_why() -> None:
    invoice_id = uuid4()
    source = payment(
        b.PaymentFailed, invoice_id, error_code="card_declined", error_message="Declined"
    )

    webhook = translated(source)

    assert webhook.payload.event is WebhookEvent.PAYMENT_FAILED
    assert webhook.ordering_key == str(invoice_id)
    assert webhook.customer_id == source.customer_id
    assert webhook.payload.data["error_code"] == "card_declined"
    assert webhook.payload.data["error_message"] == "Declined"
    assert webhook.payload.data["amount"] == 23.99


def test_a_registered_user_is_user_registered_in_that_users_order() -> None:
    user_id = uuid4()
    source = e.UserRegistered(
        occurred_at=AT, user_id=user_id, whmcs_client_id=7, email="new@example.com"
    )

    webhook = translated(source)

    assert webhook.payload.event is WebhookEvent.USER_REGISTERED
    assert webhook.payload.data == {"user_id": str(user_id), "email": "new@example.com"}
    assert webhook.ordering_key == str(user_id)


@pytest.mark.parametrize(
    "source",
    [
        e.SuspendRequested(occurred_at=AT, instance_id=uuid4(), job_id=uuid4()),
        e.InstanceResized(occurred_at=AT, instance_id=uuid4(), plan="max", server_type="cx52"),
        e.InstanceErrored(
            occurred_at=AT, instance_id=uuid4(), error_code="x", error_message="broken"
        ),
        e.UserLoggedIn(occurred_at=AT, user_id=uuid4(), whmcs_client_id=7, email="a@b.example"),
        e.JobSucceeded(occurred_at=AT, job_id=uuid4()),
    ],
    ids=lambda source: source.ce_type,
)
def test_events_without_a_seed_name_are_not_delivered(source: EventPayload) -> None:
    assert webhook_for(source) is None


def _account(kind: type[b.AccountEvent], **fields: object) -> b.AccountEvent:
    return kind(
        occurred_at=AT,
        tenant_id=uuid4(),
        actor_id=None,
        account_id=ACCOUNT,
        customer_id=CUSTOMER,
        email="jo@example.com",
        name="Jo Doe",
        role="user",
        password=None,
        password_changed_at=None,
        **fields,
    )


ACCOUNT, CUSTOMER = uuid4(), uuid4()


def test_a_cloudvps_customer_signing_up_is_user_registered() -> None:
    webhook = translated(_account(b.AccountRegistered, status="active"))

    assert webhook.payload.event is WebhookEvent.USER_REGISTERED
    assert webhook.ordering_key == str(ACCOUNT)
    data = webhook.payload.data
    assert (data["user_id"], data["customer_id"]) == (str(ACCOUNT), str(CUSTOMER))
    assert "password" not in data and data["email"] == "jo@example.com"


def test_a_suspended_account_is_user_suspended_with_the_reason() -> None:
    webhook = translated(_account(b.AccountSuspended, status="suspended", reason="abuse"))

    assert webhook.payload.event is WebhookEvent.USER_SUSPENDED
    assert (webhook.payload.data["status"], webhook.payload.data["reason"]) == (
        "suspended",
        "abuse",
    )


def test_every_webhook_event_has_a_source() -> None:
    assert set(SOURCES.values()) == set(WebhookEvent)


def test_every_source_is_a_published_contract_type() -> None:
    published = set(e.EVENT_TYPES.values())

    assert set(SOURCES) <= published


@pytest.mark.parametrize(
    "kind", [b.AccountRegistered, b.AccountUpdated, b.AccountSuspended], ids=lambda k: k.ce_type
)
def test_every_account_event_tells_which_customer_the_account_is(
    kind: type[b.AccountEvent],
) -> None:
    assert customer_of(_account(kind, status="active")) == BillingCustomer(CUSTOMER, ACCOUNT)


def _customer(kind: type[b.CustomerEvent], account_id: UUID | None) -> b.CustomerEvent:
    return kind(
        occurred_at=AT,
        tenant_id=uuid4(),
        customer_id=CUSTOMER,
        name="Jo Doe",
        email="jo@example.com",
        phone="",
        address=Address(),
        timezone="UTC",
        status="active",
        stripe_customer_id=None,
        account_id=account_id,
    )


@pytest.mark.parametrize("kind", [b.CustomerCreated, b.CustomerUpdated], ids=lambda k: k.ce_type)
@pytest.mark.parametrize("account_id", [ACCOUNT, None], ids=["cloudvps", "mpanel"])
def test_every_customer_event_tells_of_the_customer_with_its_account_or_none(
    kind: type[b.CustomerEvent], account_id: UUID | None
) -> None:
    assert customer_of(_customer(kind, account_id)) == BillingCustomer(CUSTOMER, account_id)
    assert webhook_for(_customer(kind, account_id)) is None  # endpoints do not hear of it


def test_a_customer_event_from_before_customers_carried_their_account_tells_of_none() -> None:
    published = _customer(b.CustomerCreated, ACCOUNT).model_dump(exclude={"account_id"})
    older = b.CustomerCreated.model_validate(published)
    assert customer_of(older) == BillingCustomer(CUSTOMER, None)


def test_events_of_no_customer_tell_of_none() -> None:
    assert customer_of(invoice_state(b.InvoiceCreated, uuid4())) is None
    assert customer_of(instance_created(uuid4())) is None


@pytest.mark.parametrize(
    "source",
    [
        instance_created(uuid4(), whmcs_client_id=0, customer_id=CUSTOMER),
        invoice_state(b.InvoicePaid, uuid4(), customer_id=CUSTOMER, amount_paid=2399),
        payment(b.PaymentFailed, uuid4(), customer_id=CUSTOMER, error_code="x", error_message="y"),
    ],
    ids=lambda source: source.ce_type,
)
def test_the_account_written_in_later_makes_the_body_it_would_have_had(
    source: EventPayload,
) -> None:
    webhook = translated(source)
    assert webhook.customer_id == CUSTOMER
    known = webhook.payload.model_copy(
        update={"data": webhook.payload.data | {"user_id": str(ACCOUNT)}}
    )

    body = with_user(webhook.payload.body(), ACCOUNT)

    assert body == known.body()
    assert json.loads(body)["data"]["user_id"] == str(ACCOUNT)


def test_writing_the_user_in_keeps_a_timestamps_fraction_and_every_amount() -> None:
    moment = datetime(2026, 3, 10, 9, 30, 1, 250000, tzinfo=UTC)
    source = invoice_state(b.InvoiceCreated, uuid4(), occurred_at=moment, currency="JPY")
    before = json.loads(translated(source).payload.body())

    after = json.loads(with_user(translated(source).payload.body(), ACCOUNT))

    assert after["timestamp"] == before["timestamp"] == "2026-03-10T09:30:01.250000Z"
    assert after["data"] == before["data"] | {"user_id": str(ACCOUNT)}
