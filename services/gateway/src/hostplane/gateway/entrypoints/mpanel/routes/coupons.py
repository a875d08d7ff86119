"""Coupons: an extension of seed 002, which names coupon codes on orders but no endpoint."""

from typing import Annotated

from fastapi import APIRouter

from hostplane.contracts.mpanel.products import Coupon, CouponCreate, CouponList
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED

router = APIRouter(prefix="/api/coupons", tags=["coupons"])

Reader = Annotated[Operator, allowed(Permission.COUPONS_READ)]
Writer = Annotated[Operator, allowed(Permission.COUPONS_WRITE)]


@router.get("", response_model=CouponList)
async def list_coupons(
    operator: Reader, mpanel: MPanelDep, page: PageNo = 1, page_size: PageSize = 20
) -> CouponList:
    """The tenant's coupons (an extension of seed 002)."""
    rows = await mpanel.catalog.coupons(operator, page, page_size)
    return presenters.listing(CouponList, rows, presenters.coupon, page, page_size)


@router.post("", status_code=201, response_model=Coupon, responses=WAITED)
async def create_coupon(body: CouponCreate, operator: Writer, mpanel: MPanelDep) -> Coupon:
    """A new coupon, a percentage or a fixed amount off (an extension of seed 002)."""
    return presenters.coupon(await mpanel.catalog.create_coupon(operator, body))
