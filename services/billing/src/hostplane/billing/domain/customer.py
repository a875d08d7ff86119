"""The Customer aggregate: a paying client of a tenant, with its Stripe customer and, for a
CloudVPS customer, the account it pays for."""

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
        # The CloudVPS account it pays for; None: none (an mPanel tenant's customer), and every
        # customer created before customers recorded it.
        account_id: UUID | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.account_id = account_id
        self.name = name
        self.email = email
        self.phone = phone
        self.address = address
        self.timezone = timezone
        self.status = "active"
        self.stripe_customer_id: str | None = None
        self.default_payment_method: str | None = None
        self.payment_methods: list[dict[str, Any]] = []  # saved cards, as Stripe shows them

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

    def has_payment_method(self, payment_method_id: str) -> bool:
        return any(card["id"] == payment_method_id for card in self.payment_methods)

    def add_payment_method(
        self, card: dict[str, Any], make_default: bool, actor_id: UUID | None
    ) -> None:
        """Record a saved card; made the default, orders and renewals charge it from now on."""
        if self.has_payment_method(card["id"]) and (
            not make_default or self.default_payment_method == card["id"]
        ):
            return
        self._payment_method_added(card=card, make_default=make_default, actor_id=actor_id)

    @event("PaymentMethodAdded")
    def _payment_method_added(
        self, card: dict[str, Any], make_default: bool, actor_id: UUID | None
    ) -> None:
        kept = [known for known in self.payment_methods if known["id"] != card["id"]]
        self.payment_methods = [*kept, card]
        if make_default:
            self.default_payment_method = card["id"]

    def remove_payment_method(self, payment_method_id: str, actor_id: UUID | None) -> None:
        """Forget a saved card; removing the default leaves none (as at Stripe)."""
        if self.has_payment_method(payment_method_id):
            self._payment_method_removed(payment_method_id=payment_method_id, actor_id=actor_id)

    @event("PaymentMethodRemoved")
    def _payment_method_removed(self, payment_method_id: str, actor_id: UUID | None) -> None:
        self.payment_methods = [
            card for card in self.payment_methods if card["id"] != payment_method_id
        ]
        if self.default_payment_method == payment_method_id:
            self.default_payment_method = None
