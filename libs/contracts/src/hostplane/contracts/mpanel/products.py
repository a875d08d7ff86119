"""Seed 002 §5 and §17: products with their prices per billing cycle, and coupons (ours)."""

from decimal import Decimal
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from hostplane.contracts.billing import BillingCycle, CouponKind, ProductType
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.money import AmountError, to_minor
from hostplane.contracts.mpanel.common import (
    AmountIn,
    Body,
    Currency,
    ListResponse,
    Money,
    Request,
    Timestamp,
)


def _minor_units(amount: Decimal, currency: str) -> int:
    """The amount in minor units; a ValueError (a validation error) if it has too many
    decimals for its currency."""
    try:
        return to_minor(amount, currency)
    except AmountError as error:
        raise ValueError(str(error)) from error


class CyclePrice(Request):
    """A cycle's price; no more decimals than its currency has (JPY: none)."""

    cycle: BillingCycle
    price: AmountIn
    currency: Currency

    @model_validator(mode="after")
    def _expressible(self) -> Self:
        _minor_units(self.price, self.currency)
        return self

    @property
    def minor(self) -> int:
        """The price in the currency's minor units."""
        return _minor_units(self.price, self.currency)


class Specs(Request):
    cpu: Annotated[int, Field(ge=1, le=1024)] | None = None
    ram_mb: Annotated[int, Field(ge=1, le=16_777_216)] | None = None
    disk_gb: Annotated[int, Field(ge=1, le=1_048_576)] | None = None


Cycles = Annotated[list[CyclePrice], Field(min_length=1, max_length=12)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
ProductStatus = Literal["active", "inactive"]


class ProductCreate(Request):
    """A `cloudpod` names the plan and region its servers get; no other type does."""

    name: Name
    product_type: ProductType = Field(alias="type")
    sku: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    billing_cycles: Cycles
    specs: Specs = Field(default=Specs(), alias="metadata")
    status: ProductStatus = "active"
    plan: Plan | None = None
    region: Region | None = None

    @model_validator(mode="after")
    def _placement(self) -> Self:
        placed = self.plan is not None, self.region is not None
        if self.product_type == ProductType.CLOUDPOD and not all(placed):
            raise ValueError("a cloudpod product needs a plan and a region")
        if self.product_type != ProductType.CLOUDPOD and any(placed):
            raise ValueError("only a cloudpod product has a plan and a region")
        return self


class ProductUpdate(Request):
    """Only the fields given change; a plan or region only for a `cloudpod`."""

    name: Name | None = None
    billing_cycles: Cycles | None = None
    specs: Specs | None = Field(default=None, alias="metadata")
    status: ProductStatus | None = None
    plan: Plan | None = None
    region: Region | None = None


class CyclePriceOut(Body):
    cycle: BillingCycle
    price: Money
    currency: str


class SpecsOut(Body):
    cpu: int | None
    ram_mb: int | None
    disk_gb: int | None


class Product(Body):
    id: UUID
    tenant_id: UUID
    name: str
    product_type: str = Field(alias="type")
    sku: str
    billing_cycles: list[CyclePriceOut]
    specs: SpecsOut = Field(alias="metadata")
    status: str
    plan: str | None
    region: str | None
    created_at: Timestamp


class ProductList(ListResponse[Product]):
    pass


class CouponCreate(Request):
    """A `percent` coupon's value is a whole percentage (1-100); a `fixed` one's a decimal
    amount of its currency."""

    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    kind: CouponKind = Field(alias="type")
    value: AmountIn
    currency: Currency | None = None
    expires_at: AwareDatetime | None = None
    max_uses: Annotated[int, Field(ge=1, le=1_000_000_000)] | None = None

    @model_validator(mode="after")
    def _value(self) -> Self:
        _coupon_value(self)
        return self

    @property
    def minor(self) -> int:
        """The value as billing keeps it: a percentage, or minor units of the currency."""
        return _coupon_value(self)


def _coupon_value(coupon: CouponCreate) -> int:
    if coupon.kind == CouponKind.PERCENT:
        if coupon.currency is not None:
            raise ValueError("a percent coupon has no currency")
        if coupon.value != coupon.value.to_integral_value() or not 1 <= coupon.value <= 100:
            raise ValueError("a percent coupon's value is a whole number from 1 to 100")
        return int(coupon.value)
    if coupon.currency is None:
        raise ValueError("a fixed coupon needs a currency")
    minor = _minor_units(coupon.value, coupon.currency)
    if minor <= 0:
        raise ValueError("a fixed coupon's value is more than nothing")
    return minor


class Coupon(Body):
    id: UUID
    tenant_id: UUID
    code: str
    kind: str = Field(alias="type")
    value: Money  # a percentage, or a decimal amount of `currency`
    currency: str | None
    expires_at: Timestamp | None
    max_uses: int | None
    uses: int
    created_at: Timestamp


class CouponList(ListResponse[Coupon]):
    pass
