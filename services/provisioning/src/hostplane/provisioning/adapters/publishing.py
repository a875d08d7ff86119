"""What provisioning's stored events look like on Kafka (`vps.events`, `jobs.events`)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from hostplane.contracts import events as contract
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.jobs import PAYLOADS as JOB_PAYLOADS
from hostplane.provisioning.adapters.backup_publishing import BACKUP_PAYLOADS
from hostplane.provisioning.adapters.network_publishing import NETWORK_PAYLOADS
from hostplane.provisioning.domain.instance import Instance
from hostplane.provisioning.domain.operations import Operation
from hostplane.provisioning.domain.user import User

SOURCE = "hostplane/provisioning"


def _instance_created(e: Any, at: datetime) -> contract.EventPayload:
    return contract.InstanceCreated(
        occurred_at=at,
        instance_id=e.originator_id,
        job_id=e.job_id,
        whmcs_service_id=e.whmcs_service_id,
        whmcs_client_id=e.whmcs_client_id,
        plan=e.plan,
        region=e.region,
        email=e.email,
        subdomain=e.subdomain,
        server_type=e.server_type,
        location=e.location,
        ai_preset=e.ai_preset,
        ready_token_sha256=e.ready_token_sha256,
        provider=getattr(e, "provider", "hetzner"),  # created before there was a choice
        tenant_id=getattr(e, "tenant_id", None),
        customer_id=getattr(e, "customer_id", None),
        subscription_id=getattr(e, "subscription_id", None),
        image=getattr(e, "image", None),
    )


def _server_created(e: Any, at: datetime) -> contract.EventPayload:
    hetzner_action = e.provider == "hetzner" and e.boot is not None and e.boot.isdigit()
    return contract.ServerCreated(
        occurred_at=at,
        instance_id=e.originator_id,
        hetzner_id=e.server_id,
        server_type=e.server_type,
        datacenter=e.datacenter,
        ip_address=e.ip_address,
        subdomain=e.subdomain,
        action_id=int(e.boot) if hetzner_action else None,
        provider=e.provider,
        server_id=e.server_id,
        boot=e.boot,
    )


def _plain_request(kind: type[contract.OperationRequest]) -> Callable[[Any, datetime], Any]:
    return lambda e, at: kind(occurred_at=at, instance_id=e.originator_id, job_id=e.job_id)


REQUESTED: dict[Operation, Callable[[Any, datetime], contract.EventPayload]] = {
    Operation.SUSPEND: _plain_request(contract.SuspendRequested),
    Operation.UNSUSPEND: _plain_request(contract.UnsuspendRequested),
    Operation.TERMINATE: _plain_request(contract.TerminateRequested),
    Operation.REBOOT: _plain_request(contract.RebootRequested),
    Operation.STOP: _plain_request(contract.StopRequested),
    Operation.START: _plain_request(contract.StartRequested),
    Operation.REBUILD: lambda e, at: contract.RebuildRequested(
        occurred_at=at, instance_id=e.originator_id, job_id=e.job_id, image=e.image
    ),
    Operation.RESTORE: lambda e, at: contract.RestoreRequested(
        occurred_at=at, instance_id=e.originator_id, job_id=e.job_id, backup_id=e.backup_id
    ),
    Operation.RESIZE: lambda e, at: contract.ResizeRequested(
        occurred_at=at,
        instance_id=e.originator_id,
        job_id=e.job_id,
        new_plan=e.plan,
        server_type=e.server_type,
    ),
}

CONFIRMED: dict[Operation, Callable[[Any, datetime], contract.EventPayload]] = {
    Operation.SUSPEND: lambda e, at: contract.InstanceSuspended(
        occurred_at=at, instance_id=e.originator_id
    ),
    Operation.UNSUSPEND: lambda e, at: contract.InstanceUnsuspended(
        occurred_at=at, instance_id=e.originator_id
    ),
    Operation.REBOOT: lambda e, at: contract.InstanceRebooted(
        occurred_at=at, instance_id=e.originator_id
    ),
    Operation.RESIZE: lambda e, at: contract.InstanceResized(
        occurred_at=at, instance_id=e.originator_id, plan=e.plan, server_type=e.server_type
    ),
    Operation.TERMINATE: lambda e, at: contract.InstanceTerminated(
        occurred_at=at, instance_id=e.originator_id, data_deleted=True
    ),
    Operation.STOP: lambda e, at: contract.InstanceStopped(
        occurred_at=at, instance_id=e.originator_id
    ),
    Operation.START: lambda e, at: contract.InstanceStarted(
        occurred_at=at, instance_id=e.originator_id
    ),
    Operation.REBUILD: lambda e, at: contract.InstanceRebuilt(
        occurred_at=at, instance_id=e.originator_id, image=e.image
    ),
    Operation.RESTORE: lambda e, at: contract.InstanceRestored(
        occurred_at=at, instance_id=e.originator_id, backup_id=e.backup_id
    ),
}


PAYLOADS: dict[type[Any], Callable[[Any, datetime], contract.EventPayload | None]] = {
    Instance.Created: _instance_created,
    Instance.ServerCreated: _server_created,
    Instance.DnsAssigned: lambda e, at: contract.DnsAssigned(
        occurred_at=at,
        instance_id=e.originator_id,
        cloudflare_record_id=e.record_id,
        fqdn=e.fqdn,
        provider=getattr(e, "provider", "cloudflare"),  # assigned before DNS had a choice
        record_id=e.record_id,
    ),
    Instance.ReadyReported: lambda e, at: contract.ReadyReported(
        occurred_at=at,
        instance_id=e.originator_id,
        openclaw_version=e.openclaw_version,
        gateway_port=e.gateway_port,
    ),
    Instance.Activated: lambda e, at: contract.InstanceActivated(
        occurred_at=at, instance_id=e.originator_id
    ),
    Instance.OperationQueued: lambda e, at: contract.OperationQueued(
        occurred_at=at,
        instance_id=e.originator_id,
        job_id=e.job_id,
        operation=e.operation,
        behind=e.behind,
        new_plan=e.plan,
    ),
    Instance.OperationSkipped: lambda e, at: contract.OperationSkipped(
        occurred_at=at,
        instance_id=e.originator_id,
        job_id=e.job_id,
        operation=e.operation,
        status=e.status,
        since=e.since,
    ),
    Instance.OperationRefused: lambda e, at: contract.OperationRefused(
        occurred_at=at,
        instance_id=e.originator_id,
        job_id=e.job_id,
        operation=e.operation,
        error_code=e.code,
        error_message=e.message,
    ),
    Instance.OperationRequested: lambda e, at: REQUESTED[Operation(e.operation)](e, at),
    Instance.OperationConfirmed: lambda e, at: CONFIRMED[Operation(e.operation)](e, at),
    Instance.OperationAbandoned: lambda e, at: contract.OperationFailed(
        occurred_at=at, instance_id=e.originator_id, error_code=e.code, error_message=e.message
    ),
    Instance.ProvisioningFailed: lambda e, at: contract.ProvisioningFailed(
        occurred_at=at, instance_id=e.originator_id, error_code=e.code, error_message=e.message
    ),
    Instance.Errored: lambda e, at: contract.InstanceErrored(
        occurred_at=at, instance_id=e.originator_id, error_code=e.code, error_message=e.message
    ),
    User.Registered: lambda e, at: contract.UserRegistered(
        occurred_at=at, user_id=e.originator_id, whmcs_client_id=e.whmcs_client_id, email=e.email
    ),
    User.LoggedIn: lambda e, at: contract.UserLoggedIn(
        occurred_at=at, user_id=e.originator_id, whmcs_client_id=e.whmcs_client_id, email=e.email
    ),
    Instance.Configured: lambda e, at: contract.ConfigUpdated(
        occurred_at=at,
        instance_id=e.originator_id,
        model=e.model,
        channels=e.channels,
        secrets_set=sorted(e.secrets),
        restart_required=e.restart,
    ),
    **JOB_PAYLOADS,
    **BACKUP_PAYLOADS,
    **NETWORK_PAYLOADS,
}


def translate(event: DomainEventProtocol[Any]) -> OutgoingEvent | None:
    """The public event for a stored one, or None for events that stay inside the service."""
    to_payload = PAYLOADS.get(type(event))
    payload = to_payload(event, event.timestamp) if to_payload else None
    if payload is None:
        return None
    return OutgoingEvent(
        payload=payload,
        aggregate_id=event.originator_id,
        version=event.originator_version,
        source=SOURCE,
    )
