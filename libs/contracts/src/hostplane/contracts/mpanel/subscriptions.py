"""Seed 002 §9: subscriptions; changing one's plan is ours."""

from uuid import UUID

from hostplane.contracts.billing import BillingCycle
from hostplane.contracts.mpanel.common import Body, ListResponse, Request, Timestamp


class Subscription(Body):
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    product_id: UUID
    product_type: str
    status: str
    billing_cycle: str
    starts_at: Timestamp
    renews_at: Timestamp | None  # None once it ends at its period's end
    cancel_at_period_end: bool
    period_start: Timestamp
    period_end: Timestamp
    instance_id: UUID | None
    created_at: Timestamp


class SubscriptionList(ListResponse[Subscription]):
    pass


class SubscriptionCancel(Request):
    cancel_at_period_end: bool = True


class PlanChange(Request):
    product_id: UUID
    billing_cycle: BillingCycle | None = None
