"""Billing's projection rules and the audit log, without a database: events in, changes out."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from hostplane.contracts import billing_events as b
from hostplane.contracts import events as e
from hostplane.contracts.billing import (
    Address,
    BillingCycle,
    InvoiceLine,
    InvoiceStatus,
    Role,
    SubscriptionStatus,
)
from hostplane.contracts.secrets import SealedSecret
from hostplane.metrics.domain.billing_changes import (
    AccountSaved,
    Audited,
    AuditEntry,
    CheckoutOpened,
    CloudPodSaved,
    CreditNoteIssued,
    CustomerSaved,
    InstanceAudited,
    InstanceOwned,
    InvoiceSaved,
    JobAudited,
    OperatorSaved,
    SubscriptionSaved,
)
from hostplane.metrics.domain.changes import Change, InstanceAdded
from hostplane.metrics.domain.projection import changes

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TENANT, ACTOR = uuid4(), uuid4()


def audit_of(found: list[Change]) -> Audited:
    line = found[-1]
    assert isinstance(line, Audited)
    return line


def subscription(
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE, cancel_at_period_end: bool = False
) -> b.SubscriptionStarted:
    return b.SubscriptionStarted(
        occurred_at=NOW,
        tenant_id=TENANT,
        actor_id=ACTOR,
        subscription_id=uuid4(),
        customer_id=uuid4(),
        product_id=uuid4(),
        order_id=uuid4(),
        status=status,
        billing_cycle=BillingCycle.MONTHLY,
        starts_at=NOW,
        period_start=NOW,
        period_end=NOW + timedelta(days=31),
        cancel_at_period_end=cancel_at_period_end,
        instance_id=None,
    )


def invoice_state(invoice_id: UUID) -> dict[str, object]:
    return {
        "occurred_at": NOW,
        "invoice_id": invoice_id,
        "tenant_id": TENANT,
        "customer_id": uuid4(),
        "status": InvoiceStatus.REFUNDED,
        "number": "INV-2025-000001",
        "currency": "USD",
        "lines": [InvoiceLine(description="Mini", quantity=1, unit_amount=999, amount=999)],
        "subtotal": 999,
        "tax": 0,
        "tax_rate_bp": 0,
        "tax_country": "US",
        "total": 999,
        "amount_paid": 999,
        "amount_refunded": 999,
        "order_id": None,
        "subscription_id": None,
        "period_start": None,
        "period_end": None,
        "issued_at": NOW,
        "due_at": NOW,
        "paid_at": NOW,
    }


def customer() -> b.CustomerCreated:
    return b.CustomerCreated(
        occurred_at=NOW,
        tenant_id=TENANT,
        actor_id=ACTOR,
        customer_id=uuid4(),
        name="John Doe",
        email="john@example.com",
        phone="+1-555-1234",
        address=Address(line1="123 Main St", city="Miami", country="US"),
        timezone="UTC",
        status="active",
        stripe_customer_id=None,
    )


def operator() -> b.OperatorCreated:
    return b.OperatorCreated(
        occurred_at=NOW,
        tenant_id=TENANT,
        actor_id=ACTOR,
        user_id=uuid4(),
        name="Admin",
        email="admin@example.com",
        roles=[Role.ADMIN],
        status="active",
        password=SealedSecret(sealed="gAAAA-sealed", fingerprint="f" * 64),
    )


def test_a_customer_is_saved_as_of_its_events_version() -> None:
    created = customer()
    found = changes(created, 3, str(created.customer_id))
    assert found[0] == CustomerSaved(created, 3)
    assert found[1:] == [
        Audited(
            AuditEntry(
                id=f"{created.customer_id}:3",
                action="customer.created",
                resource_type="customer",
                resource_id=str(created.customer_id),
                at=NOW,
                metadata={"name": "John Doe", "email": "john@example.com", "status": "active"},
            ),
            TENANT,
            ACTOR,
        )
    ]


@pytest.mark.parametrize(
    ("status", "cancel_at_period_end", "renews"),
    [
        (SubscriptionStatus.ACTIVE, False, True),
        (SubscriptionStatus.ACTIVE, True, False),
        (SubscriptionStatus.CANCELLED, False, False),
        (SubscriptionStatus.PAST_DUE, False, True),
    ],
)
def test_a_subscription_renews_at_its_period_end_unless_it_ends_there(
    status: SubscriptionStatus, cancel_at_period_end: bool, renews: bool
) -> None:
    started = subscription(status, cancel_at_period_end)
    saved = changes(started, 1)[0]
    assert saved == SubscriptionSaved(started, 1, renews_at=started.period_end if renews else None)


def test_a_refund_keeps_its_credit_note_beside_the_invoices_state() -> None:
    invoice_id = uuid4()
    refunded = b.InvoiceRefunded(
        **invoice_state(invoice_id),
        credit_note_number="CN-2025-000001",
        refund_id="re_1",
        reason="requested_by_customer",
    )
    found = changes(refunded, 6, str(invoice_id))
    assert found[:2] == [InvoiceSaved(refunded, 6), CreditNoteIssued(invoice_id, "CN-2025-000001")]
    line = audit_of(found)
    assert (line.entry.id, line.entry.resource_type) == (f"{invoice_id}:6", "invoice")
    assert line.entry.metadata["credit_note_number"] == "CN-2025-000001"


def test_a_checkout_session_is_kept_on_its_invoice() -> None:
    invoice_id, customer_id = uuid4(), uuid4()
    opened = b.PaymentSessionCreated(
        occurred_at=NOW,
        invoice_id=invoice_id,
        tenant_id=TENANT,
        customer_id=customer_id,
        session_id="cs_test_1",
        checkout_url="https://checkout.example/cs_test_1",
        expires_at=None,
    )
    found = changes(opened, 3, str(invoice_id))
    assert found[0] == CheckoutOpened(invoice_id, "cs_test_1", "https://checkout.example/cs_test_1")
    # The link pays the invoice: it stays out of the audit log.
    assert "checkout_url" not in audit_of(found).entry.metadata


def test_a_payment_changes_no_row_and_is_audited_on_its_invoice() -> None:
    invoice_id = uuid4()
    failed = b.PaymentFailed(
        occurred_at=NOW,
        invoice_id=invoice_id,
        tenant_id=TENANT,
        customer_id=uuid4(),
        amount=999,
        currency="USD",
        attempt=2,
        payment_intent_id="pi_1",
        error_code="card_declined",
        error_message="Your card was declined.",
    )
    found = changes(failed, 4, str(invoice_id))
    line = audit_of(found)
    assert found == [line]
    assert (line.actor_id, line.entry.action, line.entry.resource_id) == (
        None,
        "payment.failed",
        str(invoice_id),
    )
    assert line.entry.metadata["error_code"] == "card_declined"


def test_an_operators_sealed_password_is_saved_but_never_audited() -> None:
    created = operator()
    found = changes(created, 1, str(created.user_id))
    assert found[0] == OperatorSaved(created, 1)
    entry = audit_of(found).entry
    assert (entry.action, entry.resource_type) == ("user.created", "user")
    assert "password" not in entry.metadata
    assert entry.metadata["roles"] == ["admin"]


def test_every_event_of_an_account_saves_its_state_in_its_tenants_log() -> None:
    account_id = uuid4()
    state = {
        "occurred_at": NOW,
        "tenant_id": TENANT,
        "actor_id": account_id,
        "account_id": account_id,
        "customer_id": uuid4(),
        "email": "jo@example.com",
        "name": "Jo",
        "role": "user",
        "status": "active",
        "password": SealedSecret(sealed="gAAAA-sealed", fingerprint="f" * 64),
        "password_changed_at": NOW,
    }
    kinds = (
        b.AccountRegistered,
        b.AccountUpdated,
        b.AccountPasswordChanged,
        b.AccountSuspended,
        b.AccountReactivated,
    )
    for version, kind in enumerate(kinds, start=1):
        event = kind(**state)
        found = changes(event, version, str(account_id))
        assert found[0] == AccountSaved(event, version)
        line = audit_of(found)
        assert (line.tenant_id, line.actor_id) == (TENANT, account_id)
        assert (line.entry.action, line.entry.resource_type) == (event.ce_type, "account")
        assert "password" not in line.entry.metadata


def test_a_requested_cloudpod_makes_its_instance_the_tenants() -> None:
    requested = b.CloudPodRequested(
        occurred_at=NOW,
        tenant_id=TENANT,
        instance_id=uuid4(),
        subscription_id=uuid4(),
        customer_id=uuid4(),
        order_id=None,
        product_id=uuid4(),
        name="john-site-1",
        template="CPOD-MINI",
        plan="starter",
        region="eu-frankfurt",
    )
    found = changes(requested, 1, str(requested.instance_id))
    assert found[:2] == [
        CloudPodSaved(requested, 1),
        InstanceOwned(requested.instance_id, TENANT),
    ]
    assert audit_of(found).entry.resource_type == "cloudpod"


def ordered(tenant_id: UUID | None) -> e.InstanceCreated:
    return e.InstanceCreated(
        occurred_at=NOW,
        instance_id=uuid4(),
        job_id=None,
        whmcs_service_id=0,
        whmcs_client_id=0,
        plan="starter",
        region="eu-frankfurt",
        email="john@example.com",
        subdomain="john1",
        server_type="cx22",
        location="fsn1",
        ai_preset=None,
        ready_token_sha256="0" * 64,
        tenant_id=tenant_id,
    )


@pytest.mark.parametrize("tenant_id", [TENANT, None])
def test_an_ordered_instance_says_whose_it_is(tenant_id: UUID | None) -> None:
    order = ordered(tenant_id)
    found = changes(order, 1, str(order.instance_id))
    assert isinstance(found[1], InstanceAdded)
    assert found[2] == InstanceOwned(order.instance_id, tenant_id)
    # Whose line it is, the store finds from the instance (a WHMCS one's is nobody's).
    line = found[3]
    assert isinstance(line, InstanceAudited)
    assert (line.instance_id, line.entry.id) == (
        order.instance_id,
        f"vps.events/{order.instance_id}:1",
    )


def test_an_instances_and_a_jobs_events_are_audited_by_what_they_are_about() -> None:
    instance_id, job_id = uuid4(), uuid4()
    activated = e.InstanceActivated(occurred_at=NOW, instance_id=instance_id)
    line = changes(activated, 4, str(instance_id))[-2]  # then the instance's log line
    assert line == InstanceAudited(
        AuditEntry(f"vps.events/{instance_id}:4", "vps.active", "cloudpod", str(instance_id), NOW),
        instance_id,
    )

    succeeded = e.JobSucceeded(occurred_at=NOW, job_id=job_id, result={"status": "active"})
    line = changes(succeeded, 2, str(job_id))[-1]
    assert line == JobAudited(
        AuditEntry(f"jobs.events/{job_id}:2", "job.succeeded", "job", str(job_id), NOW), job_id
    )


def test_a_users_or_a_dns_event_is_in_no_audit_log() -> None:
    login = e.UserLoggedIn(occurred_at=NOW, user_id=uuid4(), whmcs_client_id=7, email="a@b.c")
    record = e.RecordDeleted(occurred_at=NOW, instance_id=uuid4(), record_name="a", record_id=None)
    for event in (login, record):
        assert not any(
            isinstance(c, Audited | InstanceAudited | JobAudited) for c in changes(event, 1)
        )


def test_an_audit_line_is_named_by_the_events_aggregate_and_version() -> None:
    created = customer()
    first, again, newer = (
        audit_of(changes(created, 1, "aggregate-a")),
        audit_of(changes(created, 1, "aggregate-a")),
        audit_of(changes(created, 2, "aggregate-a")),
    )
    assert first == again
    assert (first.entry.id, newer.entry.id) == ("aggregate-a:1", "aggregate-a:2")
    # Without a subject (an event from before CloudEvents subjects), its resource names it.
    assert audit_of(changes(created, 1)).entry.id == f"{created.customer_id}:1"


def test_every_billing_payload_names_its_tenant_in_the_audit_log() -> None:
    for event in (customer(), operator(), subscription()):
        line = audit_of(changes(event, 1, "s"))
        assert (line.tenant_id, line.actor_id) == (TENANT, ACTOR)
