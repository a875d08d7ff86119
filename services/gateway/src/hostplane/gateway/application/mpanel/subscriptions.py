"""Subscriptions: read, cancelled now or at the period's end, moved to another product."""

from dataclasses import dataclass
from uuid import UUID

from hostplane.contracts.billing import ProductType, SubscriptionStatus
from hostplane.contracts.commands.billing import CancelSubscription, ChangeSubscriptionPlan
from hostplane.contracts.mpanel.subscriptions import PlanChange
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import Page, SubscriptionRow
from hostplane.gateway.domain.errors import NotFound
from hostplane.gateway.domain.mpanel.access import Operator


def _cancel_shown(row: SubscriptionRow, at_period_end: bool) -> bool:
    """Whether the read model shows the cancellation (scheduled, or done)."""
    return row.status == SubscriptionStatus.CANCELLED or (
        at_period_end and row.cancel_at_period_end
    )


@dataclass(frozen=True)
class Subscriptions:
    reads: BillingReads
    commands: PanelCommands

    async def list(
        self,
        operator: Operator,
        customer_id: UUID | None,
        status: SubscriptionStatus | None,
        product_type: ProductType | None,
        page: int,
        page_size: int,
    ) -> Page[SubscriptionRow]:
        """The tenant's subscriptions, filtered by customer, status and product type."""
        return await self.reads.subscriptions(
            operator.tenant_id,
            customer_id,
            status.value if status else None,
            product_type.value if product_type else None,
            page,
            page_size,
        )

    async def get(self, operator: Operator, subscription_id: UUID) -> SubscriptionRow:
        """One of the tenant's subscriptions."""
        row = await self.reads.subscription(operator.tenant_id, subscription_id)
        if row is None:
            raise NotFound("Subscription not found")
        return row

    async def cancel(
        self, operator: Operator, subscription_id: UUID, at_period_end: bool
    ) -> SubscriptionRow:
        """Cancel a subscription now, or when its paid period ends."""
        await self.get(operator, subscription_id)
        command = CancelSubscription(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            subscription_id=subscription_id,
            at_period_end=at_period_end,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id,
            lambda: self.reads.subscription(operator.tenant_id, subscription_id),
            lambda row: _cancel_shown(row, at_period_end),
        )

    async def change_plan(
        self, operator: Operator, subscription_id: UUID, request: PlanChange
    ) -> SubscriptionRow:
        """Move a subscription to another of the tenant's products (billing prorates)."""
        await self.get(operator, subscription_id)
        if await self.reads.product(operator.tenant_id, request.product_id) is None:
            raise NotFound("Product not found", {"productId": str(request.product_id)})
        command = ChangeSubscriptionPlan(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            subscription_id=subscription_id,
            product_id=request.product_id,
            billing_cycle=request.billing_cycle,
        )
        job = await self.commands.billing(command)
        cycle = request.billing_cycle
        return await self.commands.shown(
            job.id,
            lambda: self.reads.subscription(operator.tenant_id, subscription_id),
            lambda row: (
                row.product_id == request.product_id
                and (cycle is None or row.billing_cycle == cycle)
            ),
        )
