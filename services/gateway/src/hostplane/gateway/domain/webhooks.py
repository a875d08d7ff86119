"""WHMCS hooks: which ones are commands, and the identity that makes a redelivery a twin."""

import hashlib
import json
from uuid import UUID, uuid5

from hostplane.contracts.catalog import Plan
from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE, instance_id_for
from hostplane.contracts.openclaw.sso import WhmcsWebhook

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
