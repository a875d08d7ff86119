"""What billing's events change in the mPanel read models, and the tenants' audit log.

Billing's payloads carry their aggregate's whole state, so most changes are "save this state
as of `version`": the row is written unless a newer version was written already.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from hostplane.contracts import billing_events as b


@dataclass(frozen=True)
class TenantSaved:
    tenant: b.TenantCreated
    version: int


@dataclass(frozen=True)
class OperatorSaved:
    operator: b.OperatorEvent
    version: int


@dataclass(frozen=True)
class AccountSaved:
    account: b.AccountEvent
    version: int


@dataclass(frozen=True)
class CustomerSaved:
    customer: b.CustomerEvent
    version: int


@dataclass(frozen=True)
class ProductSaved:
    product: b.ProductEvent
    version: int


@dataclass(frozen=True)
class CouponSaved:
    coupon: b.CouponEvent
    version: int


@dataclass(frozen=True)
class OrderSaved:
    order: b.OrderEvent
    version: int


@dataclass(frozen=True)
class SubscriptionSaved:
    """A subscription's state, and when it renews (None once it ends with its period)."""

    subscription: b.SubscriptionEvent
    version: int
    renews_at: datetime | None


@dataclass(frozen=True)
class CloudPodSaved:
    """Billing asked for a subscription's server: the CloudPod, before (or beside) its
    instance's row."""

    cloudpod: b.CloudPodRequested
    version: int


@dataclass(frozen=True)
class InvoiceSaved:
    invoice: b.InvoiceState
    version: int


@dataclass(frozen=True)
class CreditNoteIssued:
    """An invoice's refund got its credit note: kept through the invoice's later states."""

    invoice_id: UUID
    number: str


@dataclass(frozen=True)
class CheckoutOpened:
    """A payment session for an invoice: the latest one is the one to pay through."""

    invoice_id: UUID
    session_id: str
    url: str


@dataclass(frozen=True)
class InstanceOwned:
    """Whose instance it is is known (`tenant_id` None: a WHMCS instance, no tenant's):
    audit lines of its jobs that waited for it become the tenant's, or are dropped."""

    instance_id: UUID
    tenant_id: UUID | None


@dataclass(frozen=True)
class AuditEntry:
    """A line of an audit log: `id` is the event's CloudEvents id (aggregate:version), so an
    event is written once however often it arrives."""

    id: str
    action: str
    resource_type: str
    resource_id: str
    at: datetime
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Audited:
    """An event of a tenant's aggregate (billing's carry the tenant and the actor)."""

    entry: AuditEntry
    tenant_id: UUID
    actor_id: UUID | None


@dataclass(frozen=True)
class InstanceAudited:
    """An instance's event: its tenant's, if the instance is one of a tenant's CloudPods."""

    entry: AuditEntry
    instance_id: UUID


@dataclass(frozen=True)
class JobAudited:
    """A job's event: its tenant's, if the job's instance is one of a tenant's CloudPods."""

    entry: AuditEntry
    job_id: UUID


BillingChange = (
    TenantSaved
    | OperatorSaved
    | AccountSaved
    | CustomerSaved
    | ProductSaved
    | CouponSaved
    | OrderSaved
    | SubscriptionSaved
    | CloudPodSaved
    | InvoiceSaved
    | CreditNoteIssued
    | CheckoutOpened
    | InstanceOwned
    | Audited
    | InstanceAudited
    | JobAudited
)
