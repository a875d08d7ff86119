"""What routes share: app-scoped adapters as dependencies, body parsing, and jobs."""

import hmac
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends
from pydantic import BaseModel, ValidationError

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.identity import instance_token
from hostplane.contracts.openclaw import JobAccepted
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.adapters.commands import CommandBus
from hostplane.gateway.adapters.views import JobView, Views
from hostplane.gateway.appstate import state
from hostplane.gateway.auth import BearerToken, RawBody, SettingsDep
from hostplane.gateway.errors import (
    JobPending,
    job_failed,
    not_found,
    unauthorized,
    validation_error,
)

ViewsDep = Annotated[Views, Depends(state("views"))]
BusDep = Annotated[CommandBus, Depends(state("bus"))]

Body = TypeVar("Body", bound=BaseModel)


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a JSON body the route validates itself (after checking its signature)."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def parse(model: type[Body], body: bytes) -> Body:
    """Validate a raw JSON body into a contract model, or answer 400 VALIDATION_ERROR."""
    try:
        return model.model_validate_json(body or b"{}")
    except ValidationError as error:
        raise validation_error(error) from error


async def existing(views: Views, instance_id: UUID) -> dict[str, Any]:
    row = await views.instance_state(instance_id)
    if row is None:
        raise not_found("Instance")
    return row


async def require_instance(
    instance_id: UUID, token: BearerToken, body: RawBody, settings: SettingsDep
) -> bytes:
    """The body of a call an instance made with its own bearer token; 401 otherwise."""
    expected = instance_token(settings.instance_token_secret, instance_id)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise unauthorized("Invalid instance token")
    return body


InstanceBody = Annotated[bytes, Depends(require_instance)]


async def run_job(
    views: Views,
    bus: CommandBus,
    settings: SettingsDep,
    instance_id: UUID,
    command: commands.ProvisioningCommand,
) -> JobView:
    """Send a command and wait, bounded, for its job; 202 with the job past the bound."""
    job_id = await bus.send(PROVISIONING_COMMANDS, instance_id, command)
    job = await views.wait_for_job(job_id, settings.job_wait_s)
    if job is None or not job.finished:
        raise JobPending(JobAccepted(job_id=job_id, status="running" if job else "queued"))
    if job.status == "failed":
        raise job_failed(job.error_code, job.error_message, job.result)
    return job
