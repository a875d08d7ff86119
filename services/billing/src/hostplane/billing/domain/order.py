"""The Order aggregate: what a customer bought, the one invoice for it, and how it ended.

`pending → paid → provisioning → active`, or `failed` when its CloudPods could not be made
(the invoice is then refunded).
"""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.billing import OrderStatus


class Order(Aggregate):
    @staticmethod
    def create_id(order_id: UUID, **_: Any) -> UUID:
        return order_id

    @event("Placed")
    def __init__(
        self,
        *,
        order_id: UUID,
        tenant_id: UUID,
        customer_id: UUID,
        items: list[dict[str, Any]],
        coupon_code: str | None,
        invoice_id: UUID,
        total: int,
        currency: str,
        actor_id: UUID | None,
    ) -> None:
        self.tenant_id, self.customer_id = tenant_id, customer_id
        self.items = items
        self.coupon_code = coupon_code
        self.invoice_id = invoice_id
        self.total, self.currency = total, currency
        self.status = OrderStatus.PENDING.value
        self.subscription_ids: list[UUID] = []
        self.instance_ids: list[UUID] = []
        self.active_instances: list[UUID] = []
        self.error_code: str | None = None
        self.error_message: str | None = None

    @property
    def ended(self) -> bool:
        return self.status in {OrderStatus.ACTIVE.value, OrderStatus.FAILED.value}

    def pay(self, subscription_ids: list[UUID], instance_ids: list[UUID]) -> None:
        """Its invoice was paid: these subscriptions started, these CloudPods are asked for."""
        if self.status == OrderStatus.PENDING.value:
            self._paid(subscription_ids=subscription_ids, instance_ids=instance_ids)
            if instance_ids:
                self._provisioning()
            else:
                self._completed()

    @event("Paid")
    def _paid(self, subscription_ids: list[UUID], instance_ids: list[UUID]) -> None:
        self.status = OrderStatus.PAID.value
        self.subscription_ids, self.instance_ids = subscription_ids, instance_ids

    @event("Provisioning")
    def _provisioning(self) -> None:
        self.status = OrderStatus.PROVISIONING.value

    def instance_active(self, instance_id: UUID) -> None:
        """One CloudPod runs; the order is active when all of them do."""
        if self.ended or instance_id in self.active_instances:
            return
        self._instance_activated(instance_id=instance_id)
        if set(self.active_instances) >= set(self.instance_ids):
            self._completed()

    @event("InstanceActivated")
    def _instance_activated(self, instance_id: UUID) -> None:
        self.active_instances.append(instance_id)

    @event("Completed")
    def _completed(self) -> None:
        self.status = OrderStatus.ACTIVE.value

    def fail(self, code: str, message: str) -> None:
        if not self.ended:
            self._failed(code=code, message=message)

    @event("Failed")
    def _failed(self, code: str, message: str) -> None:
        self.status = OrderStatus.FAILED.value
        self.error_code, self.error_message = code, message
