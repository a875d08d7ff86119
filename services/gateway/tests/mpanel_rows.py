"""Rows as billing's read models hold them, with defaults a test changes where it matters."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from argon2 import PasswordHasher

from hostplane.contracts.billing import (
    Address,
    CloudPodPlacement,
    Price,
    ProductSpecs,
)
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.identity import cloudpod_instance_id, operator_id_for
from hostplane.contracts.secrets import SecretBox
from hostplane.gateway.application.mpanel.readmodels import (
    CloudPodRow,
    CustomerRow,
    InvoiceRow,
    OperatorRow,
    ProductRow,
    SubscriptionRow,
    TenantRow,
)
from services.gateway.tests.mpanel_fakes import BillingRows

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def a_tenant(name: str, tenant_id: UUID | None = None) -> TenantRow:
    return TenantRow(tenant_id or uuid4(), name, "active", NOW)


def an_operator(
    tenant_id: UUID,
    email: str,
    password: str | None,
    box: SecretBox,
    roles: list[str] | None = None,
    status: str = "active",
) -> OperatorRow:
    """An operator whose password is stored as billing stores it: argon2, sealed."""
    sealed = box.seal(PasswordHasher().hash(password)) if password else None
    return OperatorRow(
        operator_id_for(email),
        tenant_id,
        email.split("@")[0],
        email,
        roles or ["admin"],
        status,
        sealed,
        NOW,
    )


def a_customer(tenant_id: UUID, **changes: Any) -> CustomerRow:
    row = CustomerRow(
        uuid4(),
        tenant_id,
        "John Doe",
        "john@example.com",
        "+1-555-1234",
        Address(line1="123 Main St", city="Miami", country="US"),
        "UTC",
        "active",
        None,
        None,
        NOW,
    )
    return replace(row, **changes)


def a_product(
    tenant_id: UUID, amount: int = 999, currency: str = "USD", **changes: Any
) -> ProductRow:
    row = ProductRow(
        uuid4(),
        tenant_id,
        "CloudPod Mini",
        "cloudpod",
        "CPOD-MINI",
        [Price(cycle="monthly", amount=amount, currency=currency)],
        ProductSpecs(cpu=2, ram_mb=2048, disk_gb=40),
        "active",
        CloudPodPlacement(plan=Plan.STARTER, region=Region.EU_FRANKFURT),
        NOW,
    )
    return replace(row, **changes)


def an_invoice(tenant_id: UUID, customer_id: UUID, **changes: Any) -> InvoiceRow:
    row = InvoiceRow(
        id=uuid4(),
        tenant_id=tenant_id,
        customer_id=customer_id,
        status="unpaid",
        number=None,
        currency="USD",
        lines=[],
        subtotal=0,
        tax=0,
        tax_rate_bp=0,
        tax_country="US",
        total=0,
        amount_paid=0,
        amount_refunded=0,
        order_id=None,
        subscription_id=None,
        period_start=None,
        period_end=None,
        issued_at=NOW,
        due_at=NOW + timedelta(days=14),
        paid_at=None,
        credit_note_number=None,
        checkout_session_id=None,
        checkout_url=None,
        created_at=NOW,
        updated_at=NOW,
    )
    invoice_id = changes.pop("invoice_id", None)
    return replace(row, id=invoice_id or row.id, **changes)


def a_subscription(tenant_id: UUID, customer_id: UUID, product_id: UUID) -> SubscriptionRow:
    return SubscriptionRow(
        uuid4(),
        tenant_id,
        customer_id,
        product_id,
        "cloudpod",
        "active",
        "monthly",
        NOW,
        NOW,
        NOW + timedelta(days=31),
        NOW + timedelta(days=31),
        False,
        None,
        NOW,
    )


def a_cloudpod(
    tenant_id: UUID, customer_id: UUID, subscription_id: UUID, **changes: Any
) -> CloudPodRow:
    row = CloudPodRow(
        cloudpod_instance_id(subscription_id),
        tenant_id,
        customer_id,
        subscription_id,
        "john-site-1",
        "active",
        "CPOD-MINI",
        "john1.hostplane.test",
        "203.0.113.9",
        NOW,
    )
    return replace(row, **changes)


def a_shop(rows: BillingRows) -> tuple[UUID, UUID, UUID]:
    """A tenant with a customer and a product (9.99 USD a month): their ids."""
    tenant_id = uuid4()
    customer, product = a_customer(tenant_id), a_product(tenant_id)
    rows.customers[customer.id] = customer
    rows.products[product.id] = product
    return tenant_id, customer.id, product.id
