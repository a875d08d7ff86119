"""Seed 002 §9: subscriptions; changing one's plan is an extension."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from hostplane.contracts.billing import ProductType, SubscriptionStatus
from hostplane.contracts.mpanel.subscriptions import (
    PlanChange,
    Subscription,
    SubscriptionCancel,
    SubscriptionList,
)
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals

router = APIRouter(prefix="/api/subscriptions", tags=["subscriptions"])

Reader = Annotated[Operator, allowed(Permission.SUBSCRIPTIONS_READ)]
Writer = Annotated[Operator, allowed(Permission.SUBSCRIPTIONS_WRITE)]


@router.get("", response_model=SubscriptionList)
async def list_subscriptions(
    operator: Reader,
    mpanel: MPanelDep,
    customer_id: Annotated[UUID | None, Query(alias="customerId")] = None,
    status: SubscriptionStatus | None = None,
    product_type: Annotated[ProductType | None, Query(alias="productType")] = None,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> SubscriptionList:
    """The tenant's subscriptions, by customer, status and product type."""
    rows = await mpanel.subscriptions.list(
        operator, customer_id, status, product_type, page, page_size
    )
    return presenters.listing(SubscriptionList, rows, presenters.subscription, page, page_size)


@router.get("/{subscription_id}", response_model=Subscription, responses=refusals(404))
async def get_subscription(
    subscription_id: UUID, operator: Reader, mpanel: MPanelDep
) -> Subscription:
    """One of the tenant's subscriptions."""
    return presenters.subscription(await mpanel.subscriptions.get(operator, subscription_id))


@router.post("/{subscription_id}/cancel", response_model=Subscription, responses=WAITED)
async def cancel_subscription(
    subscription_id: UUID, body: SubscriptionCancel, operator: Writer, mpanel: MPanelDep
) -> Subscription:
    """Cancel a subscription now, or when its paid period ends."""
    row = await mpanel.subscriptions.cancel(operator, subscription_id, body.cancel_at_period_end)
    return presenters.subscription(row)


@router.post("/{subscription_id}/change-plan", response_model=Subscription, responses=WAITED)
async def change_plan(
    subscription_id: UUID, body: PlanChange, operator: Writer, mpanel: MPanelDep
) -> Subscription:
    """Move a subscription to another product (an extension of seed 002; billing
    prorates)."""
    row = await mpanel.subscriptions.change_plan(operator, subscription_id, body)
    return presenters.subscription(row)
