"""Seed 000's instance endpoints: create, read, suspend, unsuspend, terminate, reboot, resize,
and the ready callback."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from hostplane.contracts.openclaw.instances import (
    CreateInstanceRequest,
    CreateInstanceResponse,
    InstanceResponse,
    JobAccepted,
    ReadyRequest,
    ReadyResponse,
    RebootResponse,
    ResizeRequest,
    ResizeResponse,
    SuspendResponse,
    TerminateResponse,
    UnsuspendResponse,
)
from hostplane.gateway.entrypoints.dependencies import (
    InstancesDep,
    InstanceToken,
    RawBody,
    SettingsDep,
    User,
    WhmcsBody,
    WhmcsOrUser,
    body_schema,
    parse,
)
from hostplane.gateway.entrypoints.openapi import DESCRIPTIONS, Responses, refusals
from hostplane.gateway.entrypoints.presenters import instance_response

REBOOT_SECONDS = 30

router = APIRouter(prefix="/api/instances", tags=["instances"])

# Lifecycle commands answer from their job: 202 past the wait, 409 when the instance's state
# refused it, 502 when the provider failed it.
JOB: Responses = {
    202: {"model": JobAccepted, "description": DESCRIPTIONS[202]},
    **refusals(404, 409, 502),
}
RETRIED: dict[str, Any] = {
    "model": CreateInstanceResponse,
    "description": "An order retried: the same instance, nothing new",
}


@router.post(
    "",
    status_code=201,
    response_model=CreateInstanceResponse,
    responses={200: RETRIED, **refusals(409)},
    openapi_extra=body_schema(CreateInstanceRequest),
)
async def create_instance(
    body: WhmcsBody, instances: InstancesDep, settings: SettingsDep, response: Response
) -> CreateInstanceResponse:
    """Create an instance for a WHMCS service (idempotent per `whmcs_service_id`)."""
    order = await instances.order(parse(CreateInstanceRequest, body))
    if not order.created:
        response.status_code = 200
    return CreateInstanceResponse(
        id=order.instance_id,
        status="provisioning",
        subdomain=order.subdomain,
        url=settings.instance_url(order.subdomain),
        estimated_ready=settings.estimated_ready_s,
    )


@router.get("/{instance_id}", response_model=InstanceResponse, responses=refusals(404))
async def get_instance(
    instance_id: UUID, principal: WhmcsOrUser, instances: InstancesDep, settings: SettingsDep
) -> InstanceResponse:
    """The instance as WHMCS and the dashboard see it."""
    return instance_response(await instances.get(principal, instance_id), settings)


@router.post("/{instance_id}/suspend", response_model=SuspendResponse, responses=JOB)
async def suspend_instance(
    instance_id: UUID, _: WhmcsBody, instances: InstancesDep
) -> SuspendResponse:
    """Suspend an instance (its server is powered off); a suspended one answers as it is."""
    at = await instances.suspend(instance_id)
    return SuspendResponse(id=instance_id, status="suspended", suspended_at=at)


@router.post("/{instance_id}/unsuspend", response_model=UnsuspendResponse, responses=JOB)
async def unsuspend_instance(
    instance_id: UUID, _: WhmcsBody, instances: InstancesDep
) -> UnsuspendResponse:
    """Unsuspend an instance (its server is powered on); an active one answers as it is."""
    at = await instances.unsuspend(instance_id)
    return UnsuspendResponse(id=instance_id, status="active", unsuspended_at=at)


@router.delete("/{instance_id}", response_model=TerminateResponse, responses=JOB)
async def terminate_instance(
    instance_id: UUID, _: WhmcsBody, instances: InstancesDep
) -> TerminateResponse:
    """Terminate an instance (its server and DNS record are deleted); a terminated one
    answers as it is."""
    at = await instances.terminate(instance_id)
    return TerminateResponse(
        id=instance_id, status="terminated", terminated_at=at, data_deleted=True
    )


@router.post(
    "/{instance_id}/ready",
    response_model=ReadyResponse,
    openapi_extra=body_schema(ReadyRequest),
)
async def instance_ready(
    instance_id: UUID, token: InstanceToken, body: RawBody, instances: InstancesDep
) -> ReadyResponse:
    """Cloud-init's callback: the instance's application is up."""
    await instances.report_ready(instance_id, token, parse(ReadyRequest, body))
    return ReadyResponse(acknowledged=True)


@router.post("/{instance_id}/reboot", response_model=RebootResponse, responses=refusals(404))
async def reboot_instance(
    instance_id: UUID, principal: User, instances: InstancesDep
) -> RebootResponse:
    """Reboot an active instance (its server restarts); answered once the job is queued."""
    await instances.reboot(principal, instance_id)
    return RebootResponse(id=instance_id, status="rebooting", estimated_ready=REBOOT_SECONDS)


@router.post(
    "/{instance_id}/resize",
    response_model=ResizeResponse,
    responses=refusals(404),
    openapi_extra=body_schema(ResizeRequest),
)
async def resize_instance(
    instance_id: UUID, body: WhmcsBody, instances: InstancesDep
) -> ResizeResponse:
    """Move an instance to another plan (WHMCS ChangePackage); answered once the job is
    queued. Disks grow, never shrink: a smaller disk fails the job (DOWNGRADE_NOT_POSSIBLE)."""
    resize = await instances.resize(instance_id, parse(ResizeRequest, body))
    return ResizeResponse(
        id=instance_id, old_plan=resize.old_plan, new_plan=resize.new_plan.value, status="resizing"
    )
