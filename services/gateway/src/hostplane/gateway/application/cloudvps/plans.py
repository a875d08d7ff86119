"""The plans CloudVPS sells: the platform tenant's active CloudPod products, each with what
its plan is at the provider (cores, memory, disk, monthly traffic)."""

from dataclasses import dataclass
from uuid import UUID

from hostplane.contracts.catalog import PlanSpec
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import ProductRow
from hostplane.gateway.domain.errors import NotFound
from hostplane.messaging.settings import CatalogSettings

PAGE = 100


@dataclass(frozen=True)
class OfferedPlan:
    """A product as a plan: its catalog row and the provisioning plan it places."""

    product: ProductRow
    spec: PlanSpec


@dataclass(frozen=True)
class Plans:
    reads: BillingReads
    catalog: CatalogSettings
    tenant_id: UUID

    async def all(self) -> list[OfferedPlan]:
        """Every active CloudPod product, oldest first."""
        offered: list[OfferedPlan] = []
        page = 1
        while True:
            rows = await self.reads.products(self.tenant_id, "cloudpod", True, page, PAGE)
            offered += [plan for row in rows.items if (plan := self._offered(row))]
            if page * PAGE >= rows.total:
                return offered
            page += 1

    async def one(self, plan_id: str) -> OfferedPlan:
        """One plan by its id (the product's); an unknown, retired or other brand's is 404."""
        try:
            product_id = UUID(plan_id)
        except ValueError:
            raise NotFound("Plan not found") from None
        row = await self.reads.product(self.tenant_id, product_id)
        plan = self._offered(row) if row is not None and row.status == "active" else None
        if plan is None:
            raise NotFound("Plan not found")
        return plan

    def _offered(self, row: ProductRow) -> OfferedPlan | None:
        if row.product_type != "cloudpod" or row.placement is None:
            return None
        return OfferedPlan(row, self.catalog.plans[row.placement.plan])
