"""Billing's events, projected by metrics into `views`, read back through the gateway's
`BillingViews`: each tenant sees its own rows only, each event counts once."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from uuid import UUID, uuid4

import psycopg
import pytest

from hostplane.contracts import billing_events as b
from hostplane.contracts import events as e
from hostplane.contracts.billing import (
    Address,
    BillingCycle,
    CloudPodPlacement,
    InvoiceStatus,
    OrderLine,
    Price,
    ProductSpecs,
    SubscriptionStatus,
)
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.payload import EventPayload
from hostplane.contracts.secrets import SealedSecret
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.metrics.adapters.schemas import differences
from hostplane.metrics.application import Metrics
from tests.component.billing_read_models import (
    T0,
    Feed,
    at,
    billing_database,
    billing_views,
    cloudpod_product,
    cloudpod_requested,
    customer,
    instance_created,
    invoice,
    metrics_in,
    operator_created,
    order_placed,
    subscription_started,
    tenant_created,
)
from tests.conftest import Infra

ANOTHER = uuid4()  # a tenant of its own, which must never see the test's rows


@pytest.fixture
def database_url(infra: Infra, run_id: str) -> Iterator[str]:
    with billing_database(infra, f"billing_views_{run_id}") as url:
        yield url


@pytest.fixture
def metrics(infra: Infra, database_url: str) -> Iterator[Metrics]:
    with metrics_in(infra, database_url) as app:
        yield app


@pytest.fixture
def feed(metrics: Metrics) -> Feed:
    return Feed(metrics)


@pytest.fixture
async def reads(metrics: Metrics, database_url: str) -> AsyncIterator[BillingReads]:
    async with billing_views(database_url) as views:
        yield views


def audit_lines(database_url: str, tenant_id: UUID | None) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM views.audit WHERE tenant_id IS NOT DISTINCT FROM %s",
            (tenant_id,),
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_tenants_rows_read_back_as_the_contracts_models_and_no_one_elses(
    feed: Feed, reads: BillingReads
) -> None:
    tenant_id, actor_id = uuid4(), uuid4()
    feed.publish(tenant_created(tenant_id, "MigraHosting"), tenant_id)
    operator = operator_created(tenant_id, f"Admin-{tenant_id.hex[:8]}@Example.com", actor_id)
    feed.publish(operator, operator.user_id)
    john = customer(tenant_id)
    feed.publish(john, john.customer_id)
    product = cloudpod_product(tenant_id)
    feed.publish(product, product.product_id)
    order = order_placed(tenant_id, john.customer_id, product.product_id)
    feed.publish(order, order.order_id)
    subscription_id = uuid4()
    feed.publish(
        subscription_started(tenant_id, john.customer_id, product.product_id, subscription_id),
        subscription_id,
    )

    signing_in = await reads.operator_by_email(operator.email.upper())
    assert signing_in is not None
    assert (signing_in.id, signing_in.roles) == (operator.user_id, ["admin", "billing"])
    assert signing_in.password == SealedSecret(sealed="gAAAAA-sealed-hash", fingerprint="f" * 64)
    found = await reads.customer(tenant_id, john.customer_id)
    assert found is not None
    assert found.address == Address(line1="123 Main St", city="Miami", state="FL", country="US")
    catalog = await reads.product(tenant_id, product.product_id)
    assert catalog is not None
    assert catalog.prices[0] == Price(cycle=BillingCycle.MONTHLY, amount=999, currency="USD")
    assert catalog.specs == ProductSpecs(cpu=2, ram_mb=2048, disk_gb=40)
    assert catalog.placement == CloudPodPlacement(plan=Plan.STARTER, region=Region.EU_FRANKFURT)
    placed = await reads.order(tenant_id, order.order_id)
    assert placed is not None
    assert placed.items == [OrderLine(product_id=str(product.product_id))]
    subscription = await reads.subscription(tenant_id, subscription_id)
    assert subscription is not None
    assert (subscription.product_type, subscription.renews_at) == (
        "cloudpod",
        T0 + timedelta(days=31),
    )
    tenant = await reads.tenant(tenant_id)
    assert tenant is not None
    assert tenant.name == "MigraHosting"

    # Another tenant's operator finds none of it, by id or in a page.
    assert await reads.operator(ANOTHER, operator.user_id) is None
    assert await reads.customer(ANOTHER, john.customer_id) is None
    assert await reads.product(ANOTHER, product.product_id) is None
    assert await reads.order(ANOTHER, order.order_id) is None
    assert await reads.subscription(ANOTHER, subscription_id) is None
    for page in (
        await reads.operators(ANOTHER, 1, 10),
        await reads.customers(ANOTHER, None, 1, 10),
        await reads.products(ANOTHER, None, False, 1, 10),
        await reads.subscriptions(ANOTHER, None, None, None, 1, 10),
        await reads.audit(ANOTHER, None, None, None, None, None, 1, 10),
    ):
        assert (page.items, page.total) == ([], 0)
    assert (await reads.tenants(ANOTHER, 1, 10)).total == 0
    assert [t.id for t in (await reads.tenants(tenant_id, 1, 10)).items] == [tenant_id]

    audit = await reads.audit(tenant_id, actor_id, None, None, None, None, 1, 10)
    assert [(line.action, line.resource_type) for line in audit.items] == [("user.created", "user")]
    assert audit.items[0].id == f"{operator.user_id}:1"


async def test_a_redelivered_or_republished_event_changes_nothing(
    feed: Feed, reads: BillingReads, database_url: str
) -> None:
    tenant_id = uuid4()
    created = customer(tenant_id, name="John Doe")
    renamed = customer(
        tenant_id, name="John Smith", minute=5, customer_id=created.customer_id, updated=True
    )
    assert feed.publish(created, created.customer_id) == 1
    assert feed.publish(renamed, created.customer_id) == 1

    # A relay that took over publishes both again, at later offsets: neither is applied.
    assert feed.publish(created, created.customer_id, version=1) == 0
    assert feed.publish(renamed, created.customer_id, version=2) == 0
    # An older state that nothing else recognises (no subject) is older than the row's.
    feed.publish(created, None, version=1)
    found = await reads.customer(tenant_id, created.customer_id)
    assert found is not None
    assert (found.name, found.created_at, found.email) == ("John Smith", T0, "john@example.com")
    # Its audit line is named by its resource and version: the line it has already.
    assert audit_lines(database_url, tenant_id) == 2


async def test_pages_count_every_row_of_their_filter_and_search_names_and_emails(
    feed: Feed, reads: BillingReads
) -> None:
    tenant_id = uuid4()
    people = [("Ann Smith", "ann@example.com"), ("Bob Jones", "bob@smith.io")]
    people += [(f"Customer {n}", f"c{n}@example.com") for n in range(3)]
    for minute, (name, email) in enumerate(people):
        event = customer(tenant_id, name=name, email=email, minute=minute)
        feed.publish(event, event.customer_id)

    pages = [await reads.customers(tenant_id, None, page, 2) for page in (1, 2, 3, 4)]
    assert [page.total for page in pages] == [5, 5, 5, 5]
    assert [[c.name for c in page.items] for page in pages] == [
        ["Customer 2", "Customer 1"],
        ["Customer 0", "Bob Jones"],
        ["Ann Smith"],
        [],
    ]
    smiths = await reads.customers(tenant_id, "SMITH", 1, 10)
    assert (sorted(c.name for c in smiths.items), smiths.total) == (["Ann Smith", "Bob Jones"], 2)
    # The search's wildcards are its own characters, not patterns.
    assert (await reads.customers(tenant_id, "%", 1, 10)).total == 0
    assert (await reads.customers(ANOTHER, "smith", 1, 10)).total == 0


async def test_an_invoice_keeps_its_checkout_and_credit_note_through_its_states(
    feed: Feed, reads: BillingReads
) -> None:
    tenant_id, customer_id, invoice_id = uuid4(), uuid4(), uuid4()
    unpaid = invoice(b.InvoiceFinalized, tenant_id, customer_id, invoice_id, InvoiceStatus.UNPAID)
    feed.publish(unpaid, invoice_id)
    session = b.PaymentSessionCreated(
        occurred_at=at(1),
        invoice_id=invoice_id,
        tenant_id=tenant_id,
        customer_id=customer_id,
        session_id="cs_test_1",
        checkout_url="https://checkout.example/cs_test_1",
        expires_at=None,
    )
    feed.publish(session, invoice_id)
    paid = invoice(
        b.InvoicePaid, tenant_id, customer_id, invoice_id, InvoiceStatus.PAID, 2, paid_at=at(2)
    )
    feed.publish(paid, invoice_id)
    refunded = invoice(
        b.InvoiceRefunded,
        tenant_id,
        customer_id,
        invoice_id,
        InvoiceStatus.REFUNDED,
        3,
        paid_at=at(2),
        credit_note_number="CN-2025-000001",
        refund_id="re_1",
        reason="requested_by_customer",
    )
    feed.publish(refunded, invoice_id)
    other = invoice(b.InvoiceCreated, tenant_id, uuid4(), uuid4(), InvoiceStatus.DRAFT, 4)
    feed.publish(other, other.invoice_id)

    found = await reads.invoice(tenant_id, invoice_id)
    assert found is not None
    assert (found.status, found.paid_at, found.credit_note_number) == (
        "refunded",
        at(2),
        "CN-2025-000001",
    )
    assert (found.checkout_session_id, found.lines[0].amount) == ("cs_test_1", 999)
    assert (found.created_at, found.updated_at) == (at(0), at(3))
    refunds = await reads.invoices(tenant_id, None, "refunded", 1, 10)
    assert ([i.id for i in refunds.items], refunds.total) == ([invoice_id], 1)
    theirs = await reads.invoices(tenant_id, customer_id, None, 1, 10)
    assert theirs.total == 1
    assert (await reads.invoices(tenant_id, None, None, 1, 10)).total == 2
    assert await reads.invoice(ANOTHER, invoice_id) is None

    trail = await reads.audit(tenant_id, None, None, "invoice", str(invoice_id), None, 1, 10)
    assert [line.action for line in trail.items] == [
        "invoice.refunded",
        "invoice.paid",
        "payment.session_created",
        "invoice.finalized",
    ]
    since = await reads.audit(tenant_id, None, None, None, None, at(3), 1, 10)
    assert [line.action for line in since.items] == ["invoice.created", "invoice.refunded"]
    assert "checkout_url" not in trail.items[2].metadata


async def test_a_cloudpods_state_is_its_instances_and_its_jobs_are_its_tenants(
    feed: Feed, reads: BillingReads
) -> None:
    tenant_id, customer_id, subscription_id, instance_id = uuid4(), uuid4(), uuid4(), uuid4()
    feed.publish(
        cloudpod_requested(tenant_id, customer_id, subscription_id, instance_id), instance_id
    )
    pending = await reads.cloudpod(tenant_id, instance_id)
    assert pending is not None
    assert (pending.status, pending.hostname, pending.ipv4) == ("pending", None, None)

    job_id = uuid4()
    feed.publish(
        e.JobStarted(
            occurred_at=at(1), job_id=job_id, command="CreateInstance", instance_id=instance_id
        ),
        job_id,
    )
    for event in (
        instance_created(instance_id, tenant_id),
        e.ServerCreated(
            occurred_at=at(2),
            instance_id=instance_id,
            hetzner_id=42,
            server_type="cx22",
            datacenter="fsn1-dc14",
            ip_address="10.1.10.50",
            subdomain="john1",
        ),
        e.DnsAssigned(
            occurred_at=at(3),
            instance_id=instance_id,
            cloudflare_record_id="rec-1",
            fqdn="john1.migrapods.com",
        ),
        e.InstanceActivated(occurred_at=at(4), instance_id=instance_id),
    ):
        feed.publish(event, instance_id)
    feed.publish(e.JobSucceeded(occurred_at=at(4), job_id=job_id), job_id)

    active = await reads.cloudpod(tenant_id, instance_id)
    assert active is not None
    assert (active.status, active.hostname, active.ipv4) == (
        "active",
        "john1.migrapods.com",
        "10.1.10.50",
    )
    assert (await reads.cloudpods(tenant_id, customer_id, "active", 1, 10)).total == 1
    assert (await reads.cloudpods(tenant_id, None, "pending", 1, 10)).total == 0
    assert await reads.cloudpod(ANOTHER, instance_id) is None

    job = await reads.job(tenant_id, job_id)
    assert job is not None
    assert (job.command, job.status, job.target_id) == ("CreateInstance", "succeeded", instance_id)
    assert (job.created_at, job.updated_at) == (at(1), at(4))
    assert (await reads.jobs(tenant_id, "succeeded", None, instance_id, 1, 10)).total == 1
    assert await reads.job(ANOTHER, job_id) is None
    assert (await reads.jobs(ANOTHER, None, None, None, 1, 10)).total == 0

    pod = await reads.audit(tenant_id, None, None, "cloudpod", str(instance_id), None, 1, 10)
    assert [line.action for line in pod.items][:2] == ["vps.active", "vps.dns_assigned"]
    assert pod.total == 5  # requested, then the instance's four events
    jobs = await reads.audit(tenant_id, None, None, "job", None, None, 1, 10)
    assert [line.action for line in jobs.items] == ["job.succeeded", "job.started"]


async def test_a_jobs_audit_line_waits_for_its_instances_owner(
    feed: Feed, reads: BillingReads, database_url: str
) -> None:
    tenant_id, pod, whmcs = uuid4(), uuid4(), uuid4()
    # Each job's start arrives before anything about its instance (another topic's events).
    for instance_id in (pod, whmcs):
        job_id = uuid4()
        started = e.JobStarted(
            occurred_at=T0, job_id=job_id, command="CreateInstance", instance_id=instance_id
        )
        feed.publish(started, job_id)
    assert audit_lines(database_url, None) == 2

    feed.publish(cloudpod_requested(tenant_id, uuid4(), uuid4(), pod, minute=1), pod)
    feed.publish(instance_created(whmcs, tenant_id=None), whmcs)

    lines = await reads.audit(tenant_id, None, None, None, None, None, 1, 10)
    assert [line.action for line in lines.items] == ["cloudpod.requested", "job.started"]
    assert audit_lines(database_url, None) == 0  # the WHMCS instance's job is no tenant's


async def test_subscriptions_filter_by_their_products_type_and_renew_until_cancelled(
    feed: Feed, reads: BillingReads
) -> None:
    tenant_id, customer_id, subscription_id = uuid4(), uuid4(), uuid4()
    product = cloudpod_product(tenant_id)
    feed.publish(product, product.product_id)
    started = subscription_started(tenant_id, customer_id, product.product_id, subscription_id)
    feed.publish(started, subscription_id)
    feed.publish(
        b.SubscriptionCancelScheduled(
            **{**started.model_dump(), "occurred_at": at(5), "cancel_at_period_end": True}
        ),
        subscription_id,
    )

    found = await reads.subscriptions(tenant_id, customer_id, "active", "cloudpod", 1, 10)
    assert found.total == 1
    assert (found.items[0].cancel_at_period_end, found.items[0].renews_at) == (True, None)
    assert (await reads.subscriptions(tenant_id, None, None, "domain", 1, 10)).total == 0
    assert (
        await reads.subscriptions(tenant_id, None, SubscriptionStatus.CANCELLED, None, 1, 10)
    ).total == 0


async def test_read_models_built_in_another_order_of_the_topics_are_equal(
    infra: Infra, feed: Feed, database_url: str
) -> None:
    """What a rebuild compares: its topics are read side by side, in no set order."""
    tenant_id, customer_id, instance_id, job_id = uuid4(), uuid4(), uuid4(), uuid4()
    events: list[tuple[EventPayload, UUID]] = [
        (cloudpod_requested(tenant_id, customer_id, uuid4(), instance_id), instance_id),
        (instance_created(instance_id, tenant_id), instance_id),
        (
            e.JobStarted(
                occurred_at=at(1), job_id=job_id, command="CreateInstance", instance_id=instance_id
            ),
            job_id,
        ),
        (e.JobSucceeded(occurred_at=at(2), job_id=job_id), job_id),
        (customer(tenant_id, customer_id=customer_id), customer_id),
    ]
    for event, subject in events:
        feed.publish(event, subject)
    with metrics_in(infra, database_url, schema="views_rebuilt") as rebuilt:
        again = Feed(rebuilt)
        # Each topic's events in their order, but the job's first and the CloudPod's last.
        for event, subject in (events[2], events[3], events[1], events[0], events[4]):
            again.publish(event, subject)
    assert differences(database_url, "views", "views_rebuilt") == []
