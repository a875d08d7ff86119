"""`POST /api/webhooks/whmcs`: hooks that map to a command become that command; every hook is
recorded on `whmcs.webhooks`; the same hook delivered twice acts once."""

import hashlib
import json
from datetime import UTC, datetime
from uuid import UUID, uuid5

from fastapi import APIRouter

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.catalog import Plan
from hostplane.contracts.events import WhmcsWebhookReceived
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE, instance_id_for
from hostplane.contracts.openclaw import ErrorResponse, WebhookReceived, WhmcsWebhook
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.auth import WhmcsBody
from hostplane.gateway.deps import BusDep, body_schema, parse
from hostplane.messaging.cloudevents import OutgoingEvent

router = APIRouter(tags=["webhooks"], responses={400: {"model": ErrorResponse}})

# WHMCS module hook names (and their plain synonyms) that change an instance.
SUSPEND = {"AfterModuleSuspend", "ServiceSuspended", "service.suspended"}
UNSUSPEND = {"AfterModuleUnsuspend", "ServiceUnsuspended", "service.unsuspended"}
TERMINATE = {"AfterModuleTerminate", "ServiceTerminated", "service.terminated"}
CHANGE_PACKAGE = {"AfterModuleChangePackage", "ServicePackageChanged", "service.package_changed"}


InstanceCommand = (
    commands.SuspendInstance
    | commands.UnsuspendInstance
    | commands.TerminateInstance
    | commands.ResizeInstance
)


def to_command(hook: WhmcsWebhook) -> InstanceCommand | None:
    """The command a hook asks for, or None for hooks that are only recorded."""
    instance_id = instance_id_for(hook.service_id)
    if hook.event in SUSPEND:
        return commands.SuspendInstance(instance_id=instance_id)
    if hook.event in UNSUSPEND:
        return commands.UnsuspendInstance(instance_id=instance_id)
    if hook.event in TERMINATE:
        return commands.TerminateInstance(instance_id=instance_id)
    new_plan = str(hook.data.get("new_plan") or hook.data.get("plan") or "")
    if hook.event in CHANGE_PACKAGE and new_plan in Plan.__members__.values():
        return commands.ResizeInstance(instance_id=instance_id, new_plan=Plan(new_plan))
    return None


def webhook_id(hook: WhmcsWebhook) -> UUID:
    """The same hook, delivered again, gets the same id (and so the same job)."""
    canonical = json.dumps(hook.model_dump(), sort_keys=True, separators=(",", ":"))
    return uuid5(
        HOSTPLANE_NAMESPACE, "whmcs-webhook:" + hashlib.sha256(canonical.encode()).hexdigest()
    )


@router.post(
    "/api/webhooks/whmcs", response_model=WebhookReceived, openapi_extra=body_schema(WhmcsWebhook)
)
async def whmcs_webhook(body: WhmcsBody, bus: BusDep) -> WebhookReceived:
    """Record a WHMCS hook, and act on it when it maps to a command."""
    hook = parse(WhmcsWebhook, body)
    hook_id = webhook_id(hook)
    command = to_command(hook)
    command_id = None
    if command is not None:
        command_id = await bus.send(
            PROVISIONING_COMMANDS, command.instance_id, command, command_id=hook_id
        )
    await bus.publish(
        OutgoingEvent(
            payload=WhmcsWebhookReceived(
                occurred_at=datetime.now(UTC),
                webhook_id=hook_id,
                event=hook.event,
                service_id=hook.service_id,
                client_id=hook.client_id,
                data=hook.data,
                command_id=command_id,
            ),
            aggregate_id=hook_id,
            # The hook's first and only event: consumers apply versions from 1, once each.
            version=1,
            source="hostplane/gateway",
        )
    )
    return WebhookReceived(received=True)
