"""`GET /api/v1/plans` and `GET /api/v1/plans/{id}`: what can be ordered (no sign-in)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from hostplane.contracts.cloudvps.envelope import Envelope
from hostplane.contracts.cloudvps.plans import Plan
from hostplane.gateway.application.cloudvps.plans import Plans
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(prefix="/api/v1/plans", tags=["plans"], route_class=EnvelopeRoute)


async def plans(gateway: GatewayDep) -> Plans:
    return gateway.cloudvps.plans


PlansDep = Annotated[Plans, Depends(plans)]


@router.get("", response_model=Envelope[list[Plan]])
async def list_plans(plans: PlansDep) -> Envelope[list[Plan]]:
    return Envelope(data=[presenters.plan(p) for p in await plans.all()])


@router.get(
    "/{plan_id}",
    response_model=Envelope[Plan],
    responses=refusals(404),
)
async def get_plan(plan_id: str, plans: PlansDep) -> Envelope[Plan]:
    return Envelope(data=presenters.plan(await plans.one(plan_id)))
