"""The CloudPod aggregate: billing's side of a subscription's server.

Its id is the instance's (`cloudpod_instance_id(subscription)`), so provisioning's events find
it. Each command billing sends provisioning is an event of the CloudPod first (`…Ordered`),
published by the outbox as the command: stored once, sent at least once, one job.
"""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.identity import cloudpod_instance_id

OVERDUE = "overdue"
ACCOUNT = "account"  # its account is suspended
ADMIN = "admin"  # an admin suspended it


class CloudPod(Aggregate):
    @staticmethod
    def create_id(subscription_id: UUID, **_: Any) -> UUID:
        return cloudpod_instance_id(subscription_id)

    @event("Requested")
    def __init__(
        self,
        *,
        subscription_id: UUID,
        tenant_id: UUID,
        customer_id: UUID,
        order_id: UUID | None,
        product_id: UUID,
        name: str,
        template: str,
        plan: str,
        region: str,
        email: str,
        subdomain: str,
        actor_id: UUID | None,
        # What its server is built from (None: the default image) and the keys let in.
        image: str | None = None,
        ssh_public_keys: list[str] | None = None,
    ) -> None:
        self.subscription_id = subscription_id
        self.tenant_id, self.customer_id = tenant_id, customer_id
        self.order_id, self.product_id = order_id, product_id
        self.name, self.template = name, template
        self.plan, self.region = plan, region
        self.email, self.subdomain = email, subdomain
        self.image, self.ssh_public_keys = image, list(ssh_public_keys or [])
        self.status = "pending"
        self.suspended_for: str | None = None

    @classmethod
    def order(cls, **request: Any) -> "CloudPod":
        """Ask for the subscription's CloudPod: requested, and its CreateInstance stored."""
        pod = cls(**request)
        pod._provisioning_ordered()
        return pod

    @event("ProvisioningOrdered")
    def _provisioning_ordered(self) -> None:
        self.status = "provisioning"

    def activate(self) -> bool:
        """The instance runs; True the first time."""
        if self.status != "provisioning":
            return False
        self._activated()
        return True

    @event("Activated")
    def _activated(self) -> None:
        self.status = "active"

    def fail(self, code: str, message: str) -> bool:
        """Provisioning failed for good; True the first time."""
        if self.status in {"failed", "terminated"}:
            return False
        self._failed(code=code, message=message)
        return True

    @event("Failed")
    def _failed(self, code: str, message: str) -> None:
        self.status = "failed"

    def suspend_for(self, reason: str) -> None:
        """Ask provisioning to suspend the instance (billing's reason: non-payment)."""
        if self.status == "active" and self.suspended_for is None:
            self._suspend_ordered(reason=reason)

    def suspend_by_admin(self, note: str | None, actor_id: UUID | None) -> bool:
        """An admin's suspension, which takes over any other: only an admin lifts it. False
        when there is no server to suspend."""
        if self.status != "active":
            return False
        if self.suspended_for != ADMIN:
            self._suspend_ordered(reason=ADMIN, note=note, actor_id=actor_id)
        return True

    @event("SuspendOrdered")
    def _suspend_ordered(
        self, reason: str, note: str | None = None, actor_id: UUID | None = None
    ) -> None:
        self.suspended_for = reason

    def unsuspend_paid(self) -> None:
        """The debt is paid: lift billing's own suspension, and only that."""
        if self.suspended_for == OVERDUE:
            self._unsuspend_ordered()

    def unsuspend_for(self, reason: str) -> None:
        """Lift the suspension made for `reason`, and no other."""
        if self.suspended_for == reason:
            self._unsuspend_ordered()

    @event("UnsuspendOrdered")
    def _unsuspend_ordered(self) -> None:
        self.suspended_for = None

    def rename(self, name: str, actor_id: UUID | None) -> None:
        """Its customer's new name for it (the same name changes nothing)."""
        if name != self.name:
            self._renamed(name=name, actor_id=actor_id)

    @event("Renamed")
    def _renamed(self, name: str, actor_id: UUID | None) -> None:
        self.name = name

    def terminate(self, reason: str) -> None:
        if self.status != "terminated":
            self._terminate_ordered(reason=reason)

    @event("TerminateOrdered")
    def _terminate_ordered(self, reason: str) -> None:
        self.status = "terminated"
