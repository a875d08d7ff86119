"""A customer's name for their CloudPod (a CloudVPS VPS): kept by the CloudPod and published
with its state (`cloudpod.renamed`), so the read models show it."""

from typing import Any

from eventsourcing.domain import Aggregate

from hostplane.billing.application.service import Billing
from hostplane.billing.domain.cloudpod import CloudPod
from hostplane.billing.domain.errors import Refused
from hostplane.contracts.commands import billing as commands
from hostplane.messaging.jobs import Job


def rename_cloudpod(app: Billing, command: commands.RenameCloudPod, job: Job) -> list[Aggregate]:
    """Name the CloudPod anew; one whose server is gone keeps its name (CONFLICT)."""
    pod = app.in_tenant(CloudPod, command.instance_id, command.tenant_id)
    if pod.status == "terminated":
        raise Refused("CONFLICT", "The VPS is deleted")
    pod.rename(command.name.strip(), command.actor_id)
    return [pod]


HANDLERS: dict[type[Any], Any] = {commands.RenameCloudPod: rename_cloudpod}
