"""Billing's shared vocabulary: what commands and events of billing say about its aggregates.

Amounts are integers in minor units (`hostplane.contracts.money`); every shape here is what
crosses a process, so the gateway, billing and metrics import the same models.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from hostplane.contracts.catalog import Plan, Region


class ProductType(StrEnum):
    CLOUDPOD = "cloudpod"
    DOMAIN = "domain"
    EMAIL = "email"
    BACKUP = "backup"
    ADDON = "addon"


class BillingCycle(StrEnum):
    MONTHLY = "monthly"
    YEARLY = "yearly"


class Role(StrEnum):
    ADMIN = "admin"
    BILLING = "billing"
    SUPPORT = "support"
    VIEWER = "viewer"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    UNPAID = "unpaid"
    PAID = "paid"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class CouponKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class _Shape(BaseModel):
    model_config = ConfigDict(frozen=True)


class Price(_Shape):
    """One billing cycle's price of a product."""

    cycle: BillingCycle
    amount: int = Field(ge=0)  # minor units
    currency: str = Field(min_length=3, max_length=3)


class ProductSpecs(_Shape):
    cpu: int | None = None
    ram_mb: int | None = None
    disk_gb: int | None = None


class Address(_Shape):
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""  # ISO 3166-1 alpha-2: picks the tax rate


class AddonLine(_Shape):
    product_id: str
    quantity: int = Field(default=1, ge=1, le=1000)


class OrderLine(_Shape):
    product_id: str
    billing_cycle: BillingCycle = BillingCycle.MONTHLY
    quantity: int = Field(default=1, ge=1, le=1000)
    addons: list[AddonLine] = []


class InvoiceLineKind(StrEnum):
    ITEM = "item"
    DISCOUNT = "discount"
    PRORATION = "proration"


class InvoiceLine(_Shape):
    """A line of an invoice: `amount` is `quantity` times `unit_amount` (negative: a discount)."""

    description: str
    quantity: int
    unit_amount: int
    amount: int
    kind: InvoiceLineKind = InvoiceLineKind.ITEM
    product_id: str | None = None


class CloudPodPlacement(_Shape):
    """Where a `cloudpod` product's servers land: a provisioning plan and region."""

    plan: Plan
    region: Region


class Period(_Shape):
    start: datetime
    end: datetime
