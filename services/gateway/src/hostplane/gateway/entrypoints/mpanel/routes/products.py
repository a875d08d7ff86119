"""Seed 002 §5 and §17: products, and the plans and add-ons on sale."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from hostplane.contracts.billing import ProductType
from hostplane.contracts.mpanel.products import (
    Product,
    ProductCreate,
    ProductList,
    ProductUpdate,
)
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals

router = APIRouter(prefix="/api", tags=["products"])

Reader = Annotated[Operator, allowed(Permission.PRODUCTS_READ)]
Writer = Annotated[Operator, allowed(Permission.PRODUCTS_WRITE)]


@router.get("/products", response_model=ProductList)
async def list_products(
    operator: Reader,
    mpanel: MPanelDep,
    product_type: Annotated[ProductType | None, Query(alias="type")] = None,
    active_only: Annotated[bool, Query(alias="activeOnly")] = False,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> ProductList:
    """The tenant's products, of one type if asked, active ones only if asked."""
    catalog = mpanel.catalog
    rows = await catalog.products(operator, product_type, active_only, page, page_size)
    return presenters.listing(ProductList, rows, presenters.product, page, page_size)


@router.get("/products/{product_id}", response_model=Product, responses=refusals(404))
async def get_product(product_id: UUID, operator: Reader, mpanel: MPanelDep) -> Product:
    """One of the tenant's products."""
    return presenters.product(await mpanel.catalog.product(operator, product_id))


@router.post("/products", status_code=201, response_model=Product, responses=WAITED)
async def create_product(body: ProductCreate, operator: Writer, mpanel: MPanelDep) -> Product:
    """A new product; a `cloudpod` names a plan and a region on sale (prices in decimals, no
    more places than their currency has)."""
    return presenters.product(await mpanel.catalog.create_product(operator, body))


@router.put("/products/{product_id}", response_model=Product, responses=WAITED)
async def update_product(
    product_id: UUID, body: ProductUpdate, operator: Writer, mpanel: MPanelDep
) -> Product:
    """Change the fields given of a product."""
    return presenters.product(await mpanel.catalog.update_product(operator, product_id, body))


@router.delete("/products/{product_id}", status_code=204, response_class=Response, responses=WAITED)
async def retire_product(product_id: UUID, operator: Writer, mpanel: MPanelDep) -> Response:
    """Retire a product: no longer sold; what was sold keeps renewing."""
    await mpanel.catalog.retire_product(operator, product_id)
    return Response(status_code=204)


@router.get("/billing/plans", response_model=ProductList)
async def list_plans(
    operator: Reader, mpanel: MPanelDep, page: PageNo = 1, page_size: PageSize = 20
) -> ProductList:
    """The plans on sale: the tenant's active CloudPod products."""
    rows = await mpanel.catalog.on_sale(operator, ProductType.CLOUDPOD, page, page_size)
    return presenters.listing(ProductList, rows, presenters.product, page, page_size)


@router.get("/billing/addons", response_model=ProductList)
async def list_addons(
    operator: Reader, mpanel: MPanelDep, page: PageNo = 1, page_size: PageSize = 20
) -> ProductList:
    """The add-ons on sale: the tenant's active add-on products."""
    rows = await mpanel.catalog.on_sale(operator, ProductType.ADDON, page, page_size)
    return presenters.listing(ProductList, rows, presenters.product, page, page_size)
