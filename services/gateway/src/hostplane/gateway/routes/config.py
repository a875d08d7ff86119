"""`POST /api/instances/:id/config`: the dashboard's AI settings for one instance."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.openclaw import (
    ErrorResponse,
    UpdateConfigRequest,
    UpdateConfigResponse,
)
from hostplane.contracts.secrets import SealedSecret, SecretBox
from hostplane.gateway.appstate import state
from hostplane.gateway.auth import RawBody, SettingsDep, User, visible
from hostplane.gateway.deps import BusDep, ViewsDep, body_schema, parse, run_job

router = APIRouter(
    prefix="/api/instances",
    tags=["instances"],
    responses={status: {"model": ErrorResponse} for status in (400, 401, 404, 409)},
)


def secrets_of(request: UpdateConfigRequest, box: SecretBox) -> dict[str, SealedSecret]:
    """Every secret in the request, sealed, by name."""
    plain: dict[str, str] = {}
    if request.api_keys:
        for provider in ("anthropic", "openai"):
            if value := getattr(request.api_keys, provider):
                plain[f"api_key:{provider}"] = value
        plain |= {
            f"api_key:custom:{name}": value for name, value in request.api_keys.custom.items()
        }
    if request.channels and request.channels.telegram and request.channels.telegram.bot_token:
        plain["channel:telegram"] = request.channels.telegram.bot_token
    return {name: box.seal(value) for name, value in plain.items()}


def channels_of(request: UpdateConfigRequest) -> dict[str, bool]:
    if request.channels is None:
        return {}
    return {name: toggle.enabled for name, toggle in request.channels if toggle is not None}


SecretBoxDep = Annotated[SecretBox, Depends(state("secret_box"))]


@router.post(
    "/{instance_id}/config",
    response_model=UpdateConfigResponse,
    openapi_extra=body_schema(UpdateConfigRequest),
)
async def update_config(
    instance_id: UUID,
    principal: User,
    body: RawBody,
    box: SecretBoxDep,
    settings: SettingsDep,
    views: ViewsDep,
    bus: BusDep,
) -> UpdateConfigResponse:
    """Change the agent's model, API keys and channels; keys are never returned or logged."""
    request = parse(UpdateConfigRequest, body)
    visible(principal, await views.instance_state(instance_id))  # 404 unless theirs
    command = commands.UpdateInstanceConfig(
        instance_id=instance_id,
        model=request.agent.model if request.agent else None,
        channels=channels_of(request),
        secrets=secrets_of(request, box),
    )
    job = await run_job(views, bus, settings, instance_id, command)
    return UpdateConfigResponse(
        id=instance_id,
        config_updated=True,
        restart_required=bool(job.result.get("restart_required", False)),
    )
