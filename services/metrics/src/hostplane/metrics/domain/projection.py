"""The projection rules: what each event changes in the read models, as a table by type.

Events of an aggregate carry its version (`ce_sequence`); instance changes are applied only
if newer than the row's, so an event published again after a relay's takeover changes
nothing. An event of a type not in the table changes no row (it may still add a log line).
Billing's rules are in `billing_projection.py`; every tenant's event adds an audit line.
"""

from collections.abc import Callable
from typing import Any

from hostplane.contracts import events as e
from hostplane.contracts.identity import user_id_for
from hostplane.metrics.domain.audit import audit_line
from hostplane.metrics.domain.backup_projection import BACKUP_RULES
from hostplane.metrics.domain.billing_changes import InstanceOwned
from hostplane.metrics.domain.billing_projection import BILLING_RULES
from hostplane.metrics.domain.changes import (
    Change,
    DnsRecordChanged,
    InstanceAdded,
    InstanceChanged,
    InstanceConfigured,
    InstanceFields,
    JobFinished,
    JobStarted,
    UserSeen,
    WebhookReceived,
)
from hostplane.metrics.domain.network_projection import NETWORK_RULES
from hostplane.metrics.domain.platform_log import log_line
from hostplane.metrics.domain.provider_ids import dns_record_id, server_id
from hostplane.metrics.domain.ticket_projection import TICKET_RULES

# Rules take the event (of the type they are listed under) and its aggregate's version.
Rule = Callable[[Any, int], list[Change]]


def _sets(fields: Callable[[Any], InstanceFields]) -> Rule:
    """A rule setting `fields(event)` on the event's instance."""

    def rule(ev: e.VpsEvent, version: int) -> list[Change]:
        return [InstanceChanged(ev.instance_id, version, ev.occurred_at, fields(ev))]

    return rule


def _ordered(ev: e.InstanceCreated, version: int) -> list[Change]:
    return [
        # The order's email fills a new user only: the user's own events say which is current.
        UserSeen(
            user_id_for(ev.whmcs_client_id),
            ev.whmcs_client_id,
            ev.email,
            ev.occurred_at,
            email_is_current=False,
        ),
        InstanceAdded(ev, version, status="provisioning"),
        InstanceOwned(ev.instance_id, ev.tenant_id),
    ]


def _configured(ev: e.ConfigUpdated, version: int) -> list[Change]:
    return [
        InstanceConfigured(
            ev.instance_id, version, ev.occurred_at, ev.model, ev.channels, ev.secrets_set
        )
    ]


def _user(ev: e.UserEvent, _: int) -> list[Change]:
    login = ev.occurred_at if isinstance(ev, e.UserLoggedIn) else None
    return [UserSeen(ev.user_id, ev.whmcs_client_id, ev.email, ev.occurred_at, login)]


def _job_started(ev: e.JobStarted, _: int) -> list[Change]:
    return [JobStarted(ev.job_id, ev.instance_id, ev.command, ev.occurred_at)]


def _job_succeeded(ev: e.JobSucceeded, _: int) -> list[Change]:
    return [JobFinished(ev.job_id, "succeeded", ev.result, ev.occurred_at)]


def _job_failed(ev: e.JobFailed, _: int) -> list[Change]:
    return [
        JobFinished(ev.job_id, "failed", ev.result, ev.occurred_at, ev.error_code, ev.error_message)
    ]


def _record_created(ev: e.RecordCreated, _: int) -> list[Change]:
    return [
        DnsRecordChanged(
            ev.instance_id,
            ev.record_name,
            "created",
            ev.occurred_at,
            record_id=ev.record_id,
            provider=ev.provider,
            content=ev.content,
        )
    ]


def _record_failed(ev: e.RecordFailed, _: int) -> list[Change]:
    return [
        DnsRecordChanged(
            ev.instance_id, ev.record_name, "failed", ev.occurred_at, error=ev.error_message
        )
    ]


def _record_deleted(ev: e.RecordDeleted, _: int) -> list[Change]:
    return [
        DnsRecordChanged(
            ev.instance_id, ev.record_name, "deleted", ev.occurred_at, record_id=ev.record_id
        )
    ]


RULES: dict[type[e.EventPayload], Rule] = {
    e.InstanceCreated: _ordered,
    e.ServerCreated: _sets(
        lambda ev: {
            "hetzner_id": server_id(ev),
            "server_provider": ev.provider,
            "server_type": ev.server_type,
            "datacenter": ev.datacenter,
            "ip_address": ev.ip_address,
        }
    ),
    e.DnsAssigned: _sets(
        lambda ev: {
            "cloudflare_record_id": dns_record_id(ev),
            "dns_provider": ev.provider,
            "fqdn": ev.fqdn,
        }
    ),
    e.ReadyReported: _sets(
        lambda ev: {
            "openclaw_version": ev.openclaw_version,
            "gateway_port": ev.gateway_port,
            "ready_at": ev.occurred_at,
        }
    ),
    e.InstanceActivated: _sets(lambda ev: {"status": "active", "running_since": ev.occurred_at}),
    e.SuspendRequested: _sets(lambda ev: {"pending_operation": "suspend"}),
    e.UnsuspendRequested: _sets(lambda ev: {"pending_operation": "unsuspend"}),
    e.TerminateRequested: _sets(lambda ev: {"pending_operation": "terminate"}),
    e.RebootRequested: _sets(lambda ev: {"pending_operation": "reboot"}),
    e.ResizeRequested: _sets(lambda ev: {"pending_operation": "resize"}),
    e.InstanceRebooted: _sets(
        lambda ev: {"pending_operation": None, "running_since": ev.occurred_at}
    ),
    e.StopRequested: _sets(lambda ev: {"pending_operation": "stop"}),
    e.StartRequested: _sets(lambda ev: {"pending_operation": "start"}),
    e.RebuildRequested: _sets(lambda ev: {"pending_operation": "rebuild"}),
    e.InstanceStopped: _sets(
        lambda ev: {"pending_operation": None, "stopped_at": ev.occurred_at, "running_since": None}
    ),
    e.InstanceStarted: _sets(
        lambda ev: {"pending_operation": None, "stopped_at": None, "running_since": ev.occurred_at}
    ),
    e.InstanceRebuilt: _sets(
        lambda ev: {
            "pending_operation": None,
            "image": ev.image,
            "stopped_at": None,
            "running_since": ev.occurred_at,
        }
    ),
    e.OperationFailed: _sets(lambda ev: {"pending_operation": None}),
    e.ConfigUpdated: _configured,
    e.InstanceResized: _sets(
        lambda ev: {"pending_operation": None, "plan": ev.plan, "server_type": ev.server_type}
    ),
    e.InstanceSuspended: _sets(
        lambda ev: {
            "status": "suspended",
            "pending_operation": None,
            "suspended_at": ev.occurred_at,
            "running_since": None,
        }
    ),
    e.InstanceUnsuspended: _sets(
        lambda ev: {
            "status": "active",
            "pending_operation": None,
            "unsuspended_at": ev.occurred_at,
            # Unsuspending powers the server on, stopped before or not.
            "stopped_at": None,
            "running_since": ev.occurred_at,
        }
    ),
    e.InstanceTerminated: _sets(
        lambda ev: {
            "status": "terminated",
            "pending_operation": None,
            "terminated_at": ev.occurred_at,
            "data_deleted": ev.data_deleted,
        }
    ),
    e.ProvisioningFailed: _sets(
        lambda ev: {"error_code": ev.error_code, "error_message": ev.error_message}
    ),
    e.InstanceErrored: _sets(
        lambda ev: {
            "status": "error",
            "error_code": ev.error_code,
            "error_message": ev.error_message,
        }
    ),
    e.RecordCreated: _record_created,
    e.RecordFailed: _record_failed,
    e.RecordDeleted: _record_deleted,
    e.WhmcsWebhookReceived: lambda ev, _: [WebhookReceived(ev)],
    e.UserRegistered: _user,
    e.UserLoggedIn: _user,
    e.JobStarted: _job_started,
    e.JobSucceeded: _job_succeeded,
    e.JobFailed: _job_failed,
    **BILLING_RULES,
    **NETWORK_RULES,
    **BACKUP_RULES,
    **TICKET_RULES,
}


def changes(event: e.EventPayload, version: int, subject: str | None = None) -> list[Change]:
    """What `event` changes in the read models, in the order to write it.

    Some events only add a line to the instance's log (an operation queued, skipped or
    refused leaves the instance as it was). A tenant's event adds a line to its audit log,
    named by `subject`, the aggregate id the event was published under.
    """
    rule = RULES.get(type(event))
    found = rule(event, version) if rule is not None else []
    lines = (audit_line(event, version, subject), log_line(event, version))
    return [*found, *(line for line in lines if line is not None)]
