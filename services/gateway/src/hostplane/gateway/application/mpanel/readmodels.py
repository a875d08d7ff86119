"""Typed rows of billing's read models (`views` schema), as the mPanel use cases read them.

Amounts are minor units; the routes render them as the seed's decimals. Every row belongs to
one tenant, and every query names the tenant: another tenant's row is simply not found.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from hostplane.contracts.billing import (
    Address,
    CloudPodPlacement,
    InvoiceLine,
    OrderLine,
    Price,
    ProductSpecs,
)
from hostplane.contracts.secrets import SealedSecret

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


@dataclass(frozen=True)
class TenantRow:
    id: UUID
    name: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class OperatorRow:
    id: UUID
    tenant_id: UUID
    name: str
    email: str
    roles: list[str]
    status: str
    password: SealedSecret | None  # the argon2 hash, sealed
    created_at: datetime


@dataclass(frozen=True)
class CustomerRow:
    id: UUID
    tenant_id: UUID
    name: str
    email: str
    phone: str
    address: Address
    timezone: str
    status: str
    stripe_customer_id: str | None
    default_payment_method: str | None
    created_at: datetime


@dataclass(frozen=True)
class ProductRow:
    id: UUID
    tenant_id: UUID
    name: str
    product_type: str
    sku: str
    prices: list[Price]
    specs: ProductSpecs
    status: str
    placement: CloudPodPlacement | None
    created_at: datetime


@dataclass(frozen=True)
class CouponRow:
    id: UUID
    tenant_id: UUID
    code: str
    kind: str
    value: int
    currency: str | None
    expires_at: datetime | None
    max_uses: int | None
    uses: int
    created_at: datetime


@dataclass(frozen=True)
class OrderRow:
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    status: str
    items: list[OrderLine]
    coupon_code: str | None
    invoice_id: UUID
    total: int
    currency: str
    subscription_ids: list[UUID]
    instance_ids: list[UUID]
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class InvoiceRow:
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    status: str
    number: str | None
    currency: str
    lines: list[InvoiceLine]
    subtotal: int
    tax: int
    tax_rate_bp: int
    tax_country: str
    total: int
    amount_paid: int
    amount_refunded: int
    order_id: UUID | None
    subscription_id: UUID | None
    period_start: datetime | None
    period_end: datetime | None
    issued_at: datetime | None
    due_at: datetime | None
    paid_at: datetime | None
    credit_note_number: str | None
    checkout_session_id: str | None
    checkout_url: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SubscriptionRow:
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    product_id: UUID
    product_type: str
    status: str
    billing_cycle: str
    starts_at: datetime
    period_start: datetime
    period_end: datetime
    renews_at: datetime | None  # None once it ends at its period's end
    cancel_at_period_end: bool
    instance_id: UUID | None
    created_at: datetime


@dataclass(frozen=True)
class CloudPodRow:
    """A subscription's instance: billing's request joined with the instance's read model."""

    id: UUID  # the instance id
    tenant_id: UUID
    customer_id: UUID
    subscription_id: UUID
    name: str
    status: str  # the instance's status (provisioning, active, suspended, terminated, error)
    template: str
    hostname: str | None
    ipv4: str | None
    created_at: datetime


@dataclass(frozen=True)
class ProvisioningJobRow:
    id: UUID
    tenant_id: UUID
    command: str  # CreateInstance, SuspendInstance, ...
    status: str  # queued, running, succeeded, failed
    target_id: UUID | None
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AuditRow:
    id: str  # billing's events: their CloudEvents id (aggregate:version); others' topic/id
    tenant_id: UUID
    actor_id: UUID | None
    action: str  # the event type, e.g. subscription.created
    resource_type: str
    resource_id: str
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
