"""`POST /api/instances/:id/config`: the dashboard's AI settings for one instance."""

from uuid import UUID

from fastapi import APIRouter

from hostplane.contracts.openclaw.instances import UpdateConfigRequest, UpdateConfigResponse
from hostplane.gateway.entrypoints.dependencies import (
    InstancesDep,
    RawBody,
    User,
    body_schema,
    parse,
)
from hostplane.gateway.entrypoints.routes.instances import JOB

router = APIRouter(prefix="/api/instances", tags=["instances"])


@router.post(
    "/{instance_id}/config",
    response_model=UpdateConfigResponse,
    responses=JOB,
    openapi_extra=body_schema(UpdateConfigRequest),
)
async def update_config(
    instance_id: UUID, principal: User, body: RawBody, instances: InstancesDep
) -> UpdateConfigResponse:
    """Change the agent's model, API keys and channels; keys are never returned or logged."""
    request = parse(UpdateConfigRequest, body)
    restart = await instances.configure(principal, instance_id, request)
    return UpdateConfigResponse(id=instance_id, config_updated=True, restart_required=restart)
