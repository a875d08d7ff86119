"""Billing's read models for a test: a database of its own, fed as Kafka would feed metrics,
read through the gateway's `BillingViews`; and billing's events, filled in with defaults."""

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import psycopg
from psycopg import sql

from hostplane.contracts import billing_events as b
from hostplane.contracts import events as e
from hostplane.contracts.billing import (
    Address,
    BillingCycle,
    CloudPodPlacement,
    InvoiceLine,
    InvoiceStatus,
    OrderLine,
    OrderStatus,
    Price,
    ProductSpecs,
    ProductType,
    Role,
    SubscriptionStatus,
)
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.payload import EventPayload
from hostplane.contracts.secrets import SealedSecret
from hostplane.gateway.adapters.billing_views import BillingViews
from hostplane.gateway.adapters.database import Database
from hostplane.messaging.eventstore import Position
from hostplane.metrics.application import Delivered, Metrics
from hostplane.metrics.bootstrap import bootstrap
from tests.component.read_models import metrics_settings
from tests.conftest import Infra

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@contextmanager
def billing_database(infra: Infra, name: str) -> Iterator[str]:
    """A database of its own (the gateway reads the `views` schema by name), dropped after."""
    with psycopg.connect(infra.database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(infra.database_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(infra.database_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def metrics_in(infra: Infra, database_url: str, schema: str = "views") -> Iterator[Metrics]:
    """Metrics on `schema` (the service's by default) of `database_url`, as the service wires
    it."""
    app = bootstrap(metrics_settings(infra, database_url=database_url), schema=schema)
    try:
        yield app
    finally:
        app.close()


@asynccontextmanager
async def billing_views(database_url: str) -> AsyncIterator[BillingViews]:
    db = Database(database_url, pool_size=4)
    await db.open()
    try:
        yield BillingViews(db)
    finally:
        await db.close()


class Feed:
    """Delivers events to metrics as Kafka would: each topic's partition 0 at its next offset,
    each aggregate's events on a topic at its next version (unless told which)."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._offsets: Counter[str] = Counter()
        self._versions: Counter[str] = Counter()

    def publish(self, event: EventPayload, subject: UUID | None, version: int | None = None) -> int:
        """Deliver `event` of aggregate `subject` (None: a record without CloudEvents subject,
        whose version nothing checks but the rows'); returns how many changed a row."""
        topic = event.topic.name
        if version is None:
            self._versions[f"{topic}/{subject}"] += 1
            version = self._versions[f"{topic}/{subject}"]
        versions = ((str(subject), version),) if subject else ()
        position = Position(topic, 0, self._offsets[topic], versions=versions)
        self._offsets[topic] += 1
        return self._metrics.apply_events([Delivered(position, event, version)])


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def tenant_created(tenant_id: UUID, name: str) -> b.TenantCreated:
    return b.TenantCreated(occurred_at=T0, tenant_id=tenant_id, name=name, status="active")


def operator_created(tenant_id: UUID, email: str, actor_id: UUID | None) -> b.OperatorCreated:
    return b.OperatorCreated(
        occurred_at=T0,
        tenant_id=tenant_id,
        actor_id=actor_id,
        user_id=uuid4(),
        name="Admin",
        email=email,
        roles=[Role.ADMIN, Role.BILLING],
        status="active",
        password=SealedSecret(sealed="gAAAAA-sealed-hash", fingerprint="f" * 64),
    )


def customer(
    tenant_id: UUID,
    name: str = "John Doe",
    email: str = "john@example.com",
    minute: int = 0,
    customer_id: UUID | None = None,
    updated: bool = False,
) -> b.CustomerEvent:
    kind = b.CustomerUpdated if updated else b.CustomerCreated
    return kind(
        occurred_at=at(minute),
        tenant_id=tenant_id,
        customer_id=customer_id or uuid4(),
        name=name,
        email=email,
        phone="+1-555-1234",
        address=Address(line1="123 Main St", city="Miami", state="FL", country="US"),
        timezone="America/New_York",
        status="active",
        stripe_customer_id="cus_1",
    )


def cloudpod_product(tenant_id: UUID) -> b.ProductCreated:
    return b.ProductCreated(
        occurred_at=T0,
        tenant_id=tenant_id,
        product_id=uuid4(),
        name="CloudPod Mini",
        product_type=ProductType.CLOUDPOD,
        sku="CPOD-MINI",
        prices=[
            Price(cycle=BillingCycle.MONTHLY, amount=999, currency="USD"),
            Price(cycle=BillingCycle.YEARLY, amount=9900, currency="USD"),
        ],
        specs=ProductSpecs(cpu=2, ram_mb=2048, disk_gb=40),
        status="active",
        placement=CloudPodPlacement(plan=Plan.STARTER, region=Region.EU_FRANKFURT),
    )


def order_placed(tenant_id: UUID, customer_id: UUID, product_id: UUID) -> b.OrderPlaced:
    return b.OrderPlaced(
        occurred_at=T0,
        tenant_id=tenant_id,
        order_id=uuid4(),
        customer_id=customer_id,
        status=OrderStatus.PENDING,
        items=[OrderLine(product_id=str(product_id))],
        coupon_code=None,
        invoice_id=uuid4(),
        total=999,
        currency="USD",
    )


def invoice(
    kind: type[b.InvoiceState],
    tenant_id: UUID,
    customer_id: UUID,
    invoice_id: UUID,
    status: InvoiceStatus,
    minute: int = 0,
    **extra: object,
) -> b.InvoiceState:
    return kind.model_validate(
        {
            "occurred_at": at(minute),
            "invoice_id": invoice_id,
            "tenant_id": tenant_id,
            "customer_id": customer_id,
            "status": status,
            "number": "INV-2025-000001",
            "currency": "USD",
            "lines": [
                InvoiceLine(
                    description="CloudPod Mini - monthly", quantity=1, unit_amount=999, amount=999
                )
            ],
            "subtotal": 999,
            "tax": 200,
            "tax_rate_bp": 2000,
            "tax_country": "DE",
            "total": 1199,
            "amount_paid": 1199 if status == InvoiceStatus.PAID else 0,
            "amount_refunded": 0,
            "order_id": None,
            "subscription_id": None,
            "period_start": None,
            "period_end": None,
            "issued_at": at(minute),
            "due_at": at(minute + 60),
            "paid_at": None,
            **extra,
        }
    )


def subscription_started(
    tenant_id: UUID, customer_id: UUID, product_id: UUID, subscription_id: UUID
) -> b.SubscriptionStarted:
    return b.SubscriptionStarted(
        occurred_at=T0,
        tenant_id=tenant_id,
        subscription_id=subscription_id,
        customer_id=customer_id,
        product_id=product_id,
        order_id=None,
        status=SubscriptionStatus.ACTIVE,
        billing_cycle=BillingCycle.MONTHLY,
        starts_at=T0,
        period_start=T0,
        period_end=T0 + timedelta(days=31),
        cancel_at_period_end=False,
        instance_id=None,
    )


def cloudpod_requested(
    tenant_id: UUID, customer_id: UUID, subscription_id: UUID, instance_id: UUID, minute: int = 0
) -> b.CloudPodRequested:
    return b.CloudPodRequested(
        occurred_at=at(minute),
        tenant_id=tenant_id,
        instance_id=instance_id,
        subscription_id=subscription_id,
        customer_id=customer_id,
        order_id=None,
        product_id=uuid4(),
        name="john-site-1",
        template="CPOD-MINI",
        plan="starter",
        region="eu-frankfurt",
    )


def instance_created(instance_id: UUID, tenant_id: UUID | None) -> e.InstanceCreated:
    return e.InstanceCreated(
        occurred_at=T0,
        instance_id=instance_id,
        job_id=None,
        whmcs_service_id=0,
        whmcs_client_id=0,
        plan="starter",
        region="eu-frankfurt",
        email="john@example.com",
        subdomain=f"pod{instance_id.hex[:8]}",
        server_type="cx22",
        location="fsn1",
        ai_preset=None,
        ready_token_sha256="0" * 64,
        tenant_id=tenant_id,
    )
