"""What provisioning's stored events look like on Kafka (`vps.events`, `jobs.events`)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from hostplane.contracts import events as contract
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.provisioning.domain.instance import Instance
from hostplane.provisioning.domain.job import Job
from hostplane.provisioning.domain.operations import Operation
from hostplane.provisioning.domain.user import User

SOURCE = "hostplane/provisioning"

REQUESTED = {
    Operation.SUSPEND: contract.SuspendRequested,
    Operation.UNSUSPEND: contract.UnsuspendRequested,
    Operation.TERMINATE: contract.TerminateRequested,
    Operation.REBOOT: contract.RebootRequested,
}


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
    )


def _server_created(e: Any, at: datetime) -> contract.EventPayload:
    return contract.ServerCreated(
        occurred_at=at,
        instance_id=e.originator_id,
        hetzner_id=e.hetzner_id,
        server_type=e.server_type,
        datacenter=e.datacenter,
        ip_address=e.ip_address,
        subdomain=e.subdomain,
        action_id=getattr(e, "action_id", None),
    )


def _requested(e: Any, at: datetime) -> contract.EventPayload:
    if Operation(e.operation) is Operation.RESIZE:
        return contract.ResizeRequested(
            occurred_at=at,
            instance_id=e.originator_id,
            job_id=e.job_id,
            new_plan=e.plan,
            server_type=e.server_type,
        )
    return REQUESTED[Operation(e.operation)](
        occurred_at=at, instance_id=e.originator_id, job_id=e.job_id
    )


def _confirmed(e: Any, at: datetime) -> contract.EventPayload:
    operation, instance_id = Operation(e.operation), e.originator_id
    if operation is Operation.SUSPEND:
        return contract.InstanceSuspended(occurred_at=at, instance_id=instance_id)
    if operation is Operation.UNSUSPEND:
        return contract.InstanceUnsuspended(occurred_at=at, instance_id=instance_id)
    if operation is Operation.REBOOT:
        return contract.InstanceRebooted(occurred_at=at, instance_id=instance_id)
    if operation is Operation.RESIZE:
        return contract.InstanceResized(
            occurred_at=at, instance_id=instance_id, plan=e.plan, server_type=e.server_type
        )
    return contract.InstanceTerminated(occurred_at=at, instance_id=instance_id, data_deleted=True)


PAYLOADS: dict[type[Any], Callable[[Any, datetime], contract.EventPayload | None]] = {
    Instance.Created: _instance_created,
    Instance.ServerCreated: _server_created,
    Instance.DnsAssigned: lambda e, at: contract.DnsAssigned(
        occurred_at=at, instance_id=e.originator_id, cloudflare_record_id=e.record_id, fqdn=e.fqdn
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
    Instance.OperationRequested: _requested,
    Instance.OperationConfirmed: _confirmed,
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
    Job.Started: lambda e, at: contract.JobStarted(
        occurred_at=at, job_id=e.originator_id, command=e.command, instance_id=e.instance_id
    ),
    Job.Succeeded: lambda e, at: contract.JobSucceeded(
        occurred_at=at, job_id=e.originator_id, result=e.result
    ),
    Instance.Configured: lambda e, at: contract.ConfigUpdated(
        occurred_at=at,
        instance_id=e.originator_id,
        model=e.model,
        channels=e.channels,
        secrets_set=sorted(e.secrets),
        restart_required=e.restart,
    ),
    Job.Failed: lambda e, at: contract.JobFailed(
        occurred_at=at,
        job_id=e.originator_id,
        error_code=e.code,
        error_message=e.message,
        result=getattr(e, "result", None) or {},  # jobs failed before results were kept
    ),
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
