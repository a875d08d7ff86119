"""`POST /api/v1/vps`: a new VPS, ordered, invoiced and paid with the customer's default card.
An `Idempotency-Key` makes a retried request the same VPS and the same charge."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header

from hostplane.contracts.catalog import Plan
from hostplane.contracts.cloudvps.envelope import Envelope
from hostplane.contracts.cloudvps.vps import CreateVpsRequest, Vps
from hostplane.gateway.application.cloudvps.orders import VpsOrders
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(prefix="/api/v1/vps", tags=["vps"], route_class=EnvelopeRoute)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="The same key and body within 24 hours are the same VPS and one charge; "
        "the same key with another body is 409",
    ),
]


async def vps_orders(gateway: GatewayDep) -> VpsOrders:
    return gateway.cloudvps.orders


OrdersDep = Annotated[VpsOrders, Depends(vps_orders)]


@router.post(
    "",
    status_code=201,
    response_model=Envelope[Vps],
    responses=refusals(401, 402, 403, 409, 422),
)
async def create_vps(
    body: CreateVpsRequest,
    caller: SignedIn,
    orders: OrdersDep,
    gateway: GatewayDep,
    key: IdempotencyKey = None,
) -> Envelope[Vps]:
    """Order a VPS: paid with the default card, it is answered `creating`."""
    row = await orders.create(caller, body, key)
    return Envelope(data=presenters.vps(row, gateway.settings.plans[Plan(row.plan)]))
