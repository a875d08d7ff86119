"""A CloudVPS account's hold on its servers, and an admin's suspension of one server.

When an account is suspended, each of its customer's running CloudPods is suspended with
reason `account` (`SuspendInstance`, through the CloudPod's outbox); when it is reactivated,
those CloudPods, and only those, are unsuspended: one suspended for non-payment or by an
admin stays suspended. The customer's CloudPods are found in the read models, as billing's
clock finds its work; each CloudPod decides again, and the reaction is stored with the
event's position, so a redelivered event changes nothing.

An admin's suspension of one CloudPod (`SuspendCloudPod`) takes over any other: neither a
payment nor the account's reactivation lifts it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from hostplane.billing.application.service import Billing
from hostplane.billing.domain.cloudpod import ACCOUNT, CloudPod
from hostplane.billing.domain.errors import Refused
from hostplane.contracts import billing_events as be
from hostplane.contracts.commands import billing as commands
from hostplane.messaging.jobs import Job

Changed = list[Aggregate]


@dataclass(frozen=True)
class CustomerServer:
    """A customer's CloudPod, with its instance's status as the read models last saw it."""

    instance_id: UUID
    status: str  # the instance's: pending, provisioning, active, suspended, terminated, error


class CustomerServers(Protocol):
    def servers(self, tenant_id: UUID, customer_id: UUID) -> list[CustomerServer]: ...


def hold_servers(app: Billing, servers: CustomerServers, event: be.AccountSuspended) -> Changed:
    """The account is suspended: so is each of its running servers."""
    changed: Changed = []
    for server in servers.servers(event.tenant_id, event.customer_id):
        pod = app.find(CloudPod, server.instance_id)
        if pod is not None and server.status == "active":
            pod.suspend_for(ACCOUNT)
            changed.append(pod)
    return changed


def release_servers(
    app: Billing, servers: CustomerServers, event: be.AccountReactivated
) -> Changed:
    """The account is active again: the servers its suspension suspended run again."""
    changed: Changed = []
    for server in servers.servers(event.tenant_id, event.customer_id):
        pod = app.find(CloudPod, server.instance_id)
        if pod is not None:
            pod.unsuspend_for(ACCOUNT)
            changed.append(pod)
    return changed


# What follows from each account event, by its payload's type.
REACTIONS: dict[type[Any], Callable[[Billing, CustomerServers, Any], Changed]] = {
    be.AccountSuspended: hold_servers,
    be.AccountReactivated: release_servers,
}


def suspend_cloudpod(app: Billing, command: commands.SuspendCloudPod, job: Job) -> Changed:
    """An admin suspends one CloudPod, for the reason they give (kept with the order)."""
    pod = app.in_tenant(CloudPod, command.instance_id, command.tenant_id)
    if not pod.suspend_by_admin(command.reason, command.actor_id):
        raise Refused("CONFLICT", f"The VPS is {pod.status}, not running")
    return [pod]


HANDLERS: dict[type[Any], Any] = {commands.SuspendCloudPod: suspend_cloudpod}
