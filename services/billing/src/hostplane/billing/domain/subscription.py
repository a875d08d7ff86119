"""The Subscription aggregate: a product bought for a billing cycle, renewed period by period.

Periods come from `periods.period_at` (the customer's time zone, anchored on the start), so
a renewal of period n is always the same period, and its invoice id is derived from
(subscription, n): however often a renewal runs, it makes one invoice.
"""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hostplane.billing.domain.errors import Refused
from hostplane.contracts.billing import SubscriptionStatus
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE


def subscription_id(order_id: UUID, line: int, unit: int) -> UUID:
    return uuid5(HOSTPLANE_NAMESPACE, f"subscription:{order_id}:{line}:{unit}")


def renewal_invoice_id(subscription_id: UUID, period_index: int) -> UUID:
    """The one invoice of a subscription's period."""
    return uuid5(HOSTPLANE_NAMESPACE, f"renewal:{subscription_id}:{period_index}")


class Subscription(Aggregate):
    @staticmethod
    def create_id(subscription_id: UUID, **_: Any) -> UUID:
        return subscription_id

    @event("Started")
    def __init__(
        self,
        *,
        subscription_id: UUID,
        tenant_id: UUID,
        customer_id: UUID,
        product_id: UUID,
        product_type: str,
        order_id: UUID | None,
        billing_cycle: str,
        timezone: str,
        starts_at: datetime,
        period_end: datetime,
        amount: int,
        currency: str,
        addons: list[dict[str, Any]],
        instance_id: UUID | None,
        invoice_id: UUID,
        actor_id: UUID | None,
    ) -> None:
        self.tenant_id, self.customer_id = tenant_id, customer_id
        self.product_id, self.product_type = product_id, product_type
        self.order_id = order_id
        self.billing_cycle, self.timezone = billing_cycle, timezone
        self.starts_at = starts_at
        self.period_index = 0
        self.period_start, self.period_end = starts_at, period_end
        self.amount, self.currency = amount, currency
        self.addons = addons
        self.instance_id = instance_id
        self.last_invoice_id = invoice_id
        self.status = SubscriptionStatus.ACTIVE.value
        self.cancel_at_period_end = False
        self.cancelled_at: datetime | None = None
        self.suspension_reason: str | None = None
        self.credit = 0  # minor units owed to the customer (<= 0), taken off renewals

    @property
    def live(self) -> bool:
        return self.status != SubscriptionStatus.CANCELLED.value

    def renew(
        self,
        period_index: int,
        start: datetime,
        end: datetime,
        invoice_id: UUID,
        credit: int,
        autopay: bool = False,
    ) -> None:
        """The next period begins, invoiced by `invoice_id`; `credit` is what is still owed
        to the customer after that invoice used what it could; `autopay`: the invoice is to
        be charged to the customer's saved payment method."""
        if period_index != self.period_index + 1:
            raise Refused("INVALID_STATE", f"period {period_index} does not follow the current")
        self._renewed(
            period_index=period_index,
            start=start,
            end=end,
            invoice_id=invoice_id,
            credit=credit,
            autopay=autopay,
        )

    @event("Renewed")
    def _renewed(
        self,
        period_index: int,
        start: datetime,
        end: datetime,
        invoice_id: UUID,
        credit: int,
        autopay: bool = False,
    ) -> None:
        self.period_index = period_index
        self.period_start, self.period_end = start, end
        self.last_invoice_id = invoice_id
        self.credit = credit

    def schedule_cancel(self, actor_id: UUID | None) -> None:
        """Stop renewing; the service runs to the end of the period paid for."""
        if not self.live:
            raise Refused("INVALID_STATE", "the subscription is cancelled")
        if not self.cancel_at_period_end:
            self._cancel_scheduled(actor_id=actor_id)

    @event("CancelScheduled")
    def _cancel_scheduled(self, actor_id: UUID | None) -> None:
        self.cancel_at_period_end = True

    def cancel(self, at: datetime, actor_id: UUID | None) -> None:
        if self.live:
            self._cancelled(at=at, actor_id=actor_id)

    @event("Cancelled")
    def _cancelled(self, at: datetime, actor_id: UUID | None) -> None:
        self.status = SubscriptionStatus.CANCELLED.value
        self.cancelled_at = at

    def change_plan(
        self,
        product_id: UUID,
        product_type: str,
        billing_cycle: str,
        amount: int,
        credit: int,
        invoice_id: UUID | None,
        actor_id: UUID | None,
    ) -> None:
        """Move to another product from now on; `credit` is what a downgrade leaves owed."""
        if not self.live:
            raise Refused("INVALID_STATE", "the subscription is cancelled")
        self._plan_changed(
            previous_product_id=self.product_id,
            product_id=product_id,
            product_type=product_type,
            billing_cycle=billing_cycle,
            amount=amount,
            credit=credit,
            invoice_id=invoice_id,
            actor_id=actor_id,
        )

    @event("PlanChanged")
    def _plan_changed(
        self,
        previous_product_id: UUID,
        product_id: UUID,
        product_type: str,
        billing_cycle: str,
        amount: int,
        credit: int,
        invoice_id: UUID | None,
        actor_id: UUID | None,
    ) -> None:
        self.product_id, self.product_type = product_id, product_type
        self.billing_cycle = billing_cycle
        self.amount = amount
        self.credit += credit

    def suspend(self, reason: str) -> None:
        if self.live and self.status != SubscriptionStatus.SUSPENDED.value:
            self._suspended(reason=reason)

    @event("Suspended")
    def _suspended(self, reason: str) -> None:
        self.status = SubscriptionStatus.SUSPENDED.value
        self.suspension_reason = reason

    def reactivate(self) -> bool:
        """Back to active after its debt was paid; True when it had been suspended for it."""
        if self.status != SubscriptionStatus.SUSPENDED.value:
            return False
        self._reactivated()
        return True

    @event("Reactivated")
    def _reactivated(self) -> None:
        self.status = SubscriptionStatus.ACTIVE.value
        self.suspension_reason = None
