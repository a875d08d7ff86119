"""The Customer aggregate: a paying client of a tenant, with its Stripe customer."""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Customer(Aggregate):
    @staticmethod
    def create_id(customer_id: UUID, **_: Any) -> UUID:
        return customer_id

    @event("Created")
    def __init__(
        self,
        *,
        customer_id: UUID,
        tenant_id: UUID,
        name: str,
        email: str,
        phone: str,
        address: dict[str, str],
        timezone: str,
        actor_id: UUID | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.name = name
        self.email = email
        self.phone = phone
        self.address = address
        self.timezone = timezone
        self.status = "active"
        self.stripe_customer_id: str | None = None
        self.default_payment_method: str | None = None

    @property
    def country(self) -> str:
        return str(self.address.get("country", ""))

    def update(self, actor_id: UUID | None, **changes: Any) -> None:
        """Change what `changes` names (name, email, phone, address, timezone, status)."""
        known = {k: v for k, v in changes.items() if v is not None}
        if known:
            self._updated(changes=known, actor_id=actor_id)

    @event("Updated")
    def _updated(self, changes: dict[str, Any], actor_id: UUID | None) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def link_stripe(self, stripe_customer_id: str) -> None:
        """The customer exists at Stripe (created once: the call carries an idempotency key)."""
        if self.stripe_customer_id != stripe_customer_id:
            self.update(None, stripe_customer_id=stripe_customer_id)

    def save_payment_method(self, payment_method_id: str, actor_id: UUID | None) -> None:
        """Renewals charge this payment method from now on."""
        self.update(actor_id, default_payment_method=payment_method_id)
