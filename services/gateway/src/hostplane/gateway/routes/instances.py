"""Seed 000's instance endpoints: create, read, suspend, unsuspend, terminate, ready callback.

Lifecycle commands are checked here only for what needs no state (auth, the body, the
catalog, that the instance exists): the provisioning service queues each behind the ones
before it and decides there whether it can happen. Suspend, unsuspend and terminate answer
from their own job, so a later command's effect never shows in an earlier one's answer.
"""

import hashlib
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.catalog import Plan, Region, region_available
from hostplane.contracts.identity import default_subdomain, instance_id_for
from hostplane.contracts.openclaw import (
    CreateInstanceRequest,
    CreateInstanceResponse,
    ErrorCode,
    ErrorResponse,
    InstanceResponse,
    InstanceStatus,
    ReadyRequest,
    ReadyResponse,
    RebootResponse,
    ResizeRequest,
    ResizeResponse,
    SuspendResponse,
    TerminateResponse,
    UnsuspendResponse,
    iso,
)
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.adapters.views import JobView
from hostplane.gateway.auth import (
    BearerToken,
    SettingsDep,
    User,
    WhmcsBody,
    WhmcsOrUser,
    visible,
)
from hostplane.gateway.deps import (
    BusDep,
    InstanceBody,
    ViewsDep,
    body_schema,
    existing,
    parse,
    run_job,
)
from hostplane.gateway.errors import ApiError
from hostplane.gateway.presenters import instance_response

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 404, 409, 413, 500)
}

REBOOT_SECONDS = 30

router = APIRouter(prefix="/api/instances", tags=["instances"], responses=ERRORS)


@router.post(
    "",
    status_code=201,
    response_model=CreateInstanceResponse,
    openapi_extra=body_schema(CreateInstanceRequest),
)
async def create_instance(
    body: WhmcsBody, settings: SettingsDep, views: ViewsDep, bus: BusDep, response: Response
) -> CreateInstanceResponse:
    """Create an instance for a WHMCS service (idempotent per `whmcs_service_id`)."""
    request = parse(CreateInstanceRequest, body)
    plan = _plan(request.plan)
    if request.region not in Region.__members__.values() or not region_available(
        Region(request.region)
    ):
        raise ApiError(
            400,
            ErrorCode.REGION_UNAVAILABLE,
            f"Region '{request.region}' is not available",
            {"region": request.region},
        )
    instance_id = instance_id_for(request.whmcs_service_id)
    wanted = request.hostname or default_subdomain(instance_id)
    current, owner = await views.order_check(instance_id, wanted)
    subdomain = current or wanted
    if current is None:
        if owner is not None and owner != instance_id:
            raise ApiError(
                409,
                ErrorCode.HOSTNAME_TAKEN,
                f"Hostname '{subdomain}' is taken",
                {"hostname": subdomain},
            )
        await bus.send(
            PROVISIONING_COMMANDS,
            instance_id,
            commands.CreateInstance(
                instance_id=instance_id,
                whmcs_service_id=request.whmcs_service_id,
                whmcs_client_id=request.whmcs_client_id,
                plan=plan,
                region=Region(request.region),
                email=request.email,
                subdomain=subdomain,
                ssh_key_ids=request.ssh_key_ids,
                ai_preset=request.ai_preset,
            ),
        )
    else:
        response.status_code = 200  # a retried create: the same instance, nothing new
    return CreateInstanceResponse(
        id=instance_id,
        status="provisioning",
        subdomain=subdomain,
        url=settings.instance_url(subdomain),
        estimated_ready=settings.estimated_ready_s,
    )


@router.get("/{instance_id}", response_model=InstanceResponse)
async def get_instance(
    instance_id: UUID, principal: WhmcsOrUser, settings: SettingsDep, views: ViewsDep
) -> InstanceResponse:
    """The instance as WHMCS and the dashboard see it."""
    return instance_response(visible(principal, await views.instance(instance_id)), settings)


@router.post("/{instance_id}/suspend", response_model=SuspendResponse)
async def suspend_instance(
    instance_id: UUID, _: WhmcsBody, settings: SettingsDep, views: ViewsDep, bus: BusDep
) -> SuspendResponse:
    """Suspend an instance (its server is powered off); a suspended one answers as it is."""
    await existing(views, instance_id)
    command = commands.SuspendInstance(instance_id=instance_id)
    job = await run_job(views, bus, settings, instance_id, command)
    return SuspendResponse(id=instance_id, status="suspended", suspended_at=_at(job))


@router.post("/{instance_id}/unsuspend", response_model=UnsuspendResponse)
async def unsuspend_instance(
    instance_id: UUID, _: WhmcsBody, settings: SettingsDep, views: ViewsDep, bus: BusDep
) -> UnsuspendResponse:
    """Unsuspend an instance (its server is powered on); an active one answers as it is."""
    await existing(views, instance_id)
    command = commands.UnsuspendInstance(instance_id=instance_id)
    job = await run_job(views, bus, settings, instance_id, command)
    return UnsuspendResponse(id=instance_id, status="active", unsuspended_at=_at(job))


@router.delete("/{instance_id}", response_model=TerminateResponse)
async def terminate_instance(
    instance_id: UUID, _: WhmcsBody, settings: SettingsDep, views: ViewsDep, bus: BusDep
) -> TerminateResponse:
    """Terminate an instance (its server and DNS record are deleted); a terminated one
    answers as it is."""
    await existing(views, instance_id)
    command = commands.TerminateInstance(instance_id=instance_id)
    job = await run_job(views, bus, settings, instance_id, command)
    return TerminateResponse(
        id=instance_id, status="terminated", terminated_at=_at(job), data_deleted=True
    )


@router.post(
    "/{instance_id}/ready",
    response_model=ReadyResponse,
    openapi_extra=body_schema(ReadyRequest),
)
async def instance_ready(
    instance_id: UUID, token: BearerToken, body: InstanceBody, views: ViewsDep, bus: BusDep
) -> ReadyResponse:
    """Cloud-init's callback: the instance's application is up."""
    ready = parse(ReadyRequest, body)
    row = await views.instance_state(instance_id)  # may lag behind: then the command decides
    if row and (row["status"] != InstanceStatus.PROVISIONING or row["openclaw_version"]):
        return ReadyResponse(acknowledged=True)  # a repeated callback changes nothing
    await bus.send(
        PROVISIONING_COMMANDS,
        instance_id,
        commands.ReportInstanceReady(
            instance_id=instance_id,
            token_sha256=hashlib.sha256(token.encode()).hexdigest(),
            openclaw_version=ready.openclaw_version,
            gateway_port=ready.gateway_port,
        ),
    )
    return ReadyResponse(acknowledged=True)


@router.post("/{instance_id}/reboot", response_model=RebootResponse)
async def reboot_instance(
    instance_id: UUID, principal: User, views: ViewsDep, bus: BusDep
) -> RebootResponse:
    """Reboot an active instance (its server restarts); answered once the job is queued."""
    visible(principal, await views.instance_state(instance_id))
    await bus.send(
        PROVISIONING_COMMANDS, instance_id, commands.RebootInstance(instance_id=instance_id)
    )
    return RebootResponse(id=instance_id, status="rebooting", estimated_ready=REBOOT_SECONDS)


@router.post(
    "/{instance_id}/resize",
    response_model=ResizeResponse,
    openapi_extra=body_schema(ResizeRequest),
)
async def resize_instance(
    instance_id: UUID, body: WhmcsBody, views: ViewsDep, bus: BusDep
) -> ResizeResponse:
    """Move an instance to another plan (WHMCS ChangePackage); answered once the job is
    queued. Disks grow, never shrink: a smaller disk fails the job (DOWNGRADE_NOT_POSSIBLE)."""
    request = parse(ResizeRequest, body)
    new_plan = _plan(request.new_plan)
    old_plan = (await existing(views, instance_id))["plan"]
    await bus.send(
        PROVISIONING_COMMANDS,
        instance_id,
        commands.ResizeInstance(instance_id=instance_id, new_plan=new_plan),
    )
    return ResizeResponse(
        id=instance_id, old_plan=old_plan, new_plan=new_plan.value, status="resizing"
    )


def _plan(name: str) -> Plan:
    if name not in Plan.__members__.values():
        raise ApiError(
            400,
            ErrorCode.INVALID_PLAN,
            f"Unknown plan '{name}'",
            {"plan": f"one of {', '.join(p.value for p in Plan)}"},
        )
    return Plan(name)


def _at(job: JobView) -> str:
    """When the state the job's command met or left was reached (its job's result says)."""
    at = job.result.get("at")
    if isinstance(at, str):
        return at
    assert job.finished_at is not None
    return iso(job.finished_at)
