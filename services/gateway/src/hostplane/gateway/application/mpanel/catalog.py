"""The tenant's catalog: products with their prices, the plans and add-ons on sale, and
coupons. Prices arrive as decimals and travel as minor units."""

from dataclasses import dataclass
from uuid import UUID, uuid4

from hostplane.contracts.billing import CloudPodPlacement, Price, ProductSpecs, ProductType
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.commands.billing import (
    CreateCoupon,
    CreateProduct,
    RetireProduct,
    UpdateProduct,
)
from hostplane.contracts.mpanel.products import (
    CloudPodProductCreate,
    CouponCreate,
    CyclePrice,
    ProductCreate,
    ProductUpdate,
    Specs,
)
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import CouponRow, Page, ProductRow
from hostplane.gateway.domain.catalog import plan_named, region_named
from hostplane.gateway.domain.errors import Invalid, NotFound
from hostplane.gateway.domain.mpanel.access import Operator
from hostplane.gateway.settings import Settings

COUPON_PAGE = 100


def _prices(cycles: list[CyclePrice]) -> list[Price]:
    return [Price(cycle=c.cycle, amount=c.minor, currency=c.currency) for c in cycles]


def _specs(specs: Specs) -> ProductSpecs:
    return ProductSpecs(cpu=specs.cpu, ram_mb=specs.ram_mb, disk_gb=specs.disk_gb)


def _updated(row: ProductRow, update: ProductUpdate, placement: CloudPodPlacement | None) -> bool:
    """Whether the read model shows every field the update changed."""
    return (
        (update.name is None or row.name == update.name)
        and (update.billing_cycles is None or row.prices == _prices(update.billing_cycles))
        and (update.specs is None or row.specs == _specs(update.specs))
        and (update.status is None or row.status == update.status)
        and (placement is None or row.placement == placement)
    )


@dataclass(frozen=True)
class Catalog:
    settings: Settings
    reads: BillingReads
    commands: PanelCommands

    async def products(
        self,
        operator: Operator,
        product_type: ProductType | None,
        active_only: bool,
        page: int,
        page_size: int,
    ) -> Page[ProductRow]:
        """The tenant's products, of one type or all, active ones only if asked."""
        kind = product_type.value if product_type else None
        return await self.reads.products(operator.tenant_id, kind, active_only, page, page_size)

    async def on_sale(
        self, operator: Operator, product_type: ProductType, page: int, page_size: int
    ) -> Page[ProductRow]:
        """The active products of a type: the plans (CloudPods) or the add-ons."""
        return await self.products(operator, product_type, True, page, page_size)

    async def product(self, operator: Operator, product_id: UUID) -> ProductRow:
        """One of the tenant's products."""
        row = await self.reads.product(operator.tenant_id, product_id)
        if row is None:
            raise NotFound("Product not found")
        return row

    async def create_product(self, operator: Operator, request: ProductCreate) -> ProductRow:
        """A new product; a CloudPod's plan and region must be on sale."""
        product_id = uuid4()
        placement = None
        if isinstance(request, CloudPodProductCreate):
            placement = self._placement(request.plan, request.region)
        command = CreateProduct(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            product_id=product_id,
            name=request.name,
            product_type=request.product_type,
            sku=request.sku,
            prices=_prices(request.billing_cycles),
            specs=_specs(request.specs),
            status=request.status,
            placement=placement,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id, lambda: self.reads.product(operator.tenant_id, product_id)
        )

    async def update_product(
        self, operator: Operator, product_id: UUID, request: ProductUpdate
    ) -> ProductRow:
        """Change the fields given; a plan or a region only of a CloudPod."""
        row = await self.product(operator, product_id)
        placement = self._moved(row, request)
        command = UpdateProduct(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            product_id=product_id,
            name=request.name,
            prices=_prices(request.billing_cycles) if request.billing_cycles else None,
            specs=_specs(request.specs) if request.specs else None,
            status=request.status,
            placement=placement,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id,
            lambda: self.reads.product(operator.tenant_id, product_id),
            lambda updated: _updated(updated, request, placement),
        )

    async def retire_product(self, operator: Operator, product_id: UUID) -> None:
        """Retire a product: no longer sold; what was sold keeps renewing."""
        await self.product(operator, product_id)
        command = RetireProduct(
            tenant_id=operator.tenant_id, actor_id=operator.user_id, product_id=product_id
        )
        await self.commands.billing(command)

    async def coupons(self, operator: Operator, page: int, page_size: int) -> Page[CouponRow]:
        """The tenant's coupons."""
        return await self.reads.coupons(operator.tenant_id, page, page_size)

    async def create_coupon(self, operator: Operator, request: CouponCreate) -> CouponRow:
        """A new coupon: a percentage off, or a fixed amount of one currency."""
        coupon_id = uuid4()
        command = CreateCoupon(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            coupon_id=coupon_id,
            code=request.code,
            kind=request.kind,
            value=request.minor,
            currency=request.currency,
            expires_at=request.expires_at,
            max_uses=request.max_uses,
        )
        job = await self.commands.billing(command)
        return await self.commands.shown(
            job.id, lambda: self._coupon(operator.tenant_id, coupon_id)
        )

    def _placement(self, plan: Plan, region: Region) -> CloudPodPlacement:
        return CloudPodPlacement(
            plan=plan_named(plan.value, self.settings.plans),
            region=region_named(region.value, self.settings.regions),
        )

    def _moved(self, row: ProductRow, request: ProductUpdate) -> CloudPodPlacement | None:
        """The CloudPod placement an update asks for, completed from the current one."""
        if request.plan is None and request.region is None:
            return None
        if row.product_type != ProductType.CLOUDPOD or row.placement is None:
            raise Invalid("Only a cloudpod product has a plan and a region", {"plan": "not here"})
        return self._placement(
            request.plan or row.placement.plan, request.region or row.placement.region
        )

    async def _coupon(self, tenant_id: UUID, coupon_id: UUID) -> CouponRow | None:
        """A coupon by id (coupons are read a page at a time; a tenant has few)."""
        page, seen = 1, 0
        while True:
            listed = await self.reads.coupons(tenant_id, page, COUPON_PAGE)
            found = next((c for c in listed.items if c.id == coupon_id), None)
            seen += len(listed.items)
            if found or not listed.items or seen >= listed.total:
                return found
            page += 1
