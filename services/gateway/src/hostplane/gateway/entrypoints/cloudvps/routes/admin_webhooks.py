"""`/api/v1/admin/webhooks`: the platform's admins manage where outgoing webhooks go, rotate
their secrets, read each endpoint's delivery log and send deliveries again."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from hostplane.contracts.cloudvps.envelope import Deleted, Envelope, Message
from hostplane.contracts.cloudvps.webhook_endpoints import (
    Delivery,
    Endpoint,
    EndpointCreate,
    EndpointUpdate,
    RedeliverSince,
)
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import Admin, WebhooksDep
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute

router = APIRouter(
    prefix="/api/v1/admin/webhooks", tags=["admin webhooks"], route_class=EnvelopeRoute
)
GUARDED = refusals(401, 403)
FOUND = refusals(401, 403, 404)


@router.post(
    "",
    status_code=201,
    response_model=Envelope[Endpoint],
    responses=GUARDED,
)
async def create(body: EndpointCreate, _: Admin, webhooks: WebhooksDep) -> Envelope[Endpoint]:
    row, secret = await webhooks.create(body.url, body.events, body.description)
    return Envelope(data=presenters.endpoint(row, secret))


@router.get("", response_model=Envelope[list[Endpoint]], responses=GUARDED)
async def list_endpoints(_: Admin, webhooks: WebhooksDep) -> Envelope[list[Endpoint]]:
    return Envelope(data=[presenters.endpoint(row) for row in await webhooks.all()])


@router.put(
    "/{endpoint_id}",
    response_model=Envelope[Endpoint],
    responses=FOUND,
)
async def update(
    endpoint_id: UUID, body: EndpointUpdate, _: Admin, webhooks: WebhooksDep
) -> Envelope[Endpoint]:
    row = await webhooks.update(endpoint_id, body.url, body.events, body.enabled, body.description)
    return Envelope(data=presenters.endpoint(row))


@router.delete("/{endpoint_id}", response_model=Envelope[Deleted], responses=FOUND)
async def delete(endpoint_id: UUID, _: Admin, webhooks: WebhooksDep) -> Envelope[Deleted]:
    await webhooks.delete(endpoint_id)
    return Envelope(data=Deleted(id=str(endpoint_id)))


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=Envelope[Endpoint],
    responses=FOUND,
)
async def rotate_secret(endpoint_id: UUID, _: Admin, webhooks: WebhooksDep) -> Envelope[Endpoint]:
    row, secret = await webhooks.rotate(endpoint_id)
    return Envelope(data=presenters.endpoint(row, secret))


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=Envelope[list[Delivery]],
    responses=FOUND,
)
async def deliveries(
    endpoint_id: UUID,
    _: Admin,
    webhooks: WebhooksDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Envelope[list[Delivery]]:
    rows, attempts = await webhooks.deliveries(endpoint_id, limit)
    return Envelope(data=presenters.deliveries(rows, attempts))


@router.post(
    "/deliveries/{delivery_id}/redeliver", response_model=Envelope[Message], responses=FOUND
)
async def redeliver(delivery_id: UUID, _: Admin, webhooks: WebhooksDep) -> Envelope[Message]:
    await webhooks.redeliver(delivery_id)
    return Envelope(data=Message(message="Queued for delivery"))


@router.post("/{endpoint_id}/redeliver", response_model=Envelope[Message], responses=FOUND)
async def redeliver_since(
    endpoint_id: UUID, body: RedeliverSince, _: Admin, webhooks: WebhooksDep
) -> Envelope[Message]:
    await webhooks.redeliver_since(endpoint_id, body.since)
    return Envelope(data=Message(message="Failed deliveries since then are queued again"))
