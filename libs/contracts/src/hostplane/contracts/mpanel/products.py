"""Seed 002 §5 and §17: products with their prices per billing cycle, and coupons (ours)."""

from decimal import Decimal
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import Field, WithJsonSchema, model_validator

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
    TimeIn,
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
POSITIVE_AMOUNT = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": 1_000_000_000,
    "description": "No more decimals than the currency has",
}
Name = Annotated[str, Field(min_length=1, max_length=200)]
ProductStatus = Literal["active", "inactive"]


class _ProductCreate(Request):
    name: Name
    sku: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    billing_cycles: Cycles
    specs: Specs = Field(default=Specs(), alias="metadata")
    status: ProductStatus = "active"


class CloudPodProductCreate(_ProductCreate):
    """A `cloudpod`: its servers get this plan, in this region."""

    product_type: Literal[ProductType.CLOUDPOD] = Field(alias="type")
    plan: Plan
    region: Region


class OtherProductCreate(_ProductCreate):
    """A domain, email, backup or add-on product: no servers, so no plan or region."""

    product_type: Literal[
        ProductType.DOMAIN, ProductType.EMAIL, ProductType.BACKUP, ProductType.ADDON
    ] = Field(alias="type")


ProductCreate = Annotated[
    CloudPodProductCreate | OtherProductCreate, Field(discriminator="product_type")
]


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


class _CouponCreate(Request):
    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    expires_at: TimeIn | None = None
    max_uses: Annotated[int, Field(ge=1, le=1_000_000_000)] | None = None


class PercentCouponCreate(_CouponCreate):
    """A whole percentage off."""

    kind: Literal[CouponKind.PERCENT] = Field(alias="type")
    value: Annotated[int, Field(ge=1, le=100)]

    @property
    def currency(self) -> None:
        return None

    @property
    def minor(self) -> int:
        """The value as billing keeps it."""
        return self.value


class FixedCouponCreate(_CouponCreate):
    """An amount of one currency off (no more decimals than the currency has)."""

    kind: Literal[CouponKind.FIXED] = Field(alias="type")
    value: Annotated[AmountIn, Field(gt=0), WithJsonSchema(POSITIVE_AMOUNT)]
    currency: Currency

    @model_validator(mode="after")
    def _expressible(self) -> Self:
        _minor_units(self.value, self.currency)
        return self

    @property
    def minor(self) -> int:
        """The value as billing keeps it: minor units of the currency."""
        return _minor_units(self.value, self.currency)


CouponCreate = Annotated[PercentCouponCreate | FixedCouponCreate, Field(discriminator="kind")]


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
