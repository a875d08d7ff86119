"""The catalog: products with their prices per billing cycle, and coupons.

Prices and coupon amounts are minor units. A coupon's id comes from its tenant and code, so
an order finds it by code and two coupons can never share one.
"""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hostplane.billing.domain.errors import Refused
from hostplane.billing.domain.pricing import Discount
from hostplane.contracts.billing import CouponKind
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE


class Product(Aggregate):
    @staticmethod
    def create_id(product_id: UUID, **_: Any) -> UUID:
        return product_id

    @event("Created")
    def __init__(
        self,
        *,
        product_id: UUID,
        tenant_id: UUID,
        name: str,
        product_type: str,
        sku: str,
        prices: list[dict[str, Any]],
        specs: dict[str, Any],
        status: str,
        placement: dict[str, str] | None,
        actor_id: UUID | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.name = name
        self.product_type = product_type
        self.sku = sku
        self.prices = prices
        self.specs = specs
        self.status = status
        self.placement = placement

    @property
    def active(self) -> bool:
        return self.status == "active"

    def price_for(self, cycle: str) -> tuple[int, str]:
        """The amount and currency of one billing cycle, or a refusal naming the cycle."""
        for price in self.prices:
            if price["cycle"] == cycle:
                return int(price["amount"]), str(price["currency"])
        raise Refused("PRICE_MISSING", f"{self.sku} has no {cycle} price")

    def update(self, actor_id: UUID | None, **changes: Any) -> None:
        known = {k: v for k, v in changes.items() if v is not None}
        if known:
            self._updated(changes=known, actor_id=actor_id)

    @event("Updated")
    def _updated(self, changes: dict[str, Any], actor_id: UUID | None) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def retire(self, actor_id: UUID | None) -> None:
        """No longer sold; what was bought keeps running and renewing."""
        if self.status != "retired":
            self._retired(actor_id=actor_id)

    @event("Retired")
    def _retired(self, actor_id: UUID | None) -> None:
        self.status = "retired"


def coupon_id(tenant_id: UUID, code: str) -> UUID:
    return uuid5(HOSTPLANE_NAMESPACE, f"coupon:{tenant_id}:{code.strip().upper()}")


class Coupon(Aggregate):
    @staticmethod
    def create_id(tenant_id: UUID, code: str, **_: Any) -> UUID:
        return coupon_id(tenant_id, code)

    @event("Created")
    def __init__(
        self,
        *,
        tenant_id: UUID,
        code: str,
        kind: str,
        value: int,
        currency: str | None,
        expires_at: datetime | None,
        max_uses: int | None,
        actor_id: UUID | None,
    ) -> None:
        self.code = code.strip().upper()
        self.kind = kind
        self.value = value
        self.currency = currency
        self.expires_at = expires_at
        self.max_uses = max_uses
        self.redeemed_by: list[UUID] = []

    @property
    def uses(self) -> int:
        return len(self.redeemed_by)

    @property
    def discount(self) -> Discount:
        return Discount(CouponKind(self.kind), self.value, self.currency)

    def check(self, order_id: UUID, now: datetime) -> None:
        """Refuse an order the coupon cannot serve: expired or used up (its own order may)."""
        if order_id in self.redeemed_by:
            return
        if self.expires_at is not None and now >= self.expires_at:
            raise Refused("COUPON_EXPIRED", f"coupon {self.code} expired")
        if self.max_uses is not None and self.uses >= self.max_uses:
            raise Refused("COUPON_EXHAUSTED", f"coupon {self.code} has been used up")

    def redeem(self, order_id: UUID, now: datetime, actor_id: UUID | None) -> None:
        self.check(order_id, now)
        if order_id not in self.redeemed_by:
            self._redeemed(order_id=order_id, actor_id=actor_id)

    @event("Redeemed")
    def _redeemed(self, order_id: UUID, actor_id: UUID | None) -> None:
        self.redeemed_by.append(order_id)
