"""Seed 002 §6: orders. `POST /orders` takes an optional `Idempotency-Key`."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header

from hostplane.contracts.mpanel.orders import Order, OrderCreate, OrderPlaced
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals

router = APIRouter(prefix="/api/orders", tags=["orders"])

Reader = Annotated[Operator, allowed(Permission.ORDERS_READ)]
Writer = Annotated[Operator, allowed(Permission.ORDERS_WRITE)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="The same key and body within 24 hours are the same order; the same "
        "key with another body is 409",
    ),
]


@router.post("", status_code=201, response_model=OrderPlaced, responses=WAITED)
async def place_order(
    body: OrderCreate, operator: Writer, mpanel: MPanelDep, key: IdempotencyKey = None
) -> OrderPlaced:
    """Place an order and its invoice (a checkout) for one of the tenant's customers."""
    return presenters.placed(await mpanel.orders.place(operator, body, key))


@router.get("/{order_id}", response_model=Order, responses=refusals(404))
async def get_order(order_id: UUID, operator: Reader, mpanel: MPanelDep) -> Order:
    """One of the tenant's orders."""
    return presenters.order(await mpanel.orders.get(operator, order_id))
