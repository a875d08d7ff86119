"""Projections of `vps.events`, `dns.events` and `jobs.events` into the `views` schema.

Instance rows apply an event only if its `ce_sequence` is newer than the row's version, so an
event re-published by an outbox relay after a crash is applied once.
"""

from collections.abc import Callable
from typing import Any
from uuid import uuid5

from psycopg import Cursor
from psycopg.types.json import Jsonb

from hostplane.contracts import events as e
from hostplane.contracts.identity import user_id_for
from hostplane.contracts.telemetry import SEVERITY, LogLevel

Apply = Callable[[Cursor[Any], Any, int], None]


def _instance_created(cur: Cursor[Any], ev: e.InstanceCreated, version: int) -> None:
    cur.execute(
        """
        INSERT INTO users (id, whmcs_client_id, email, created_at)
        VALUES (%s, %s, %s, %s)
        ON CONFLICT (whmcs_client_id) DO UPDATE
            SET created_at = LEAST(users.created_at, EXCLUDED.created_at)
        """,
        (user_id_for(ev.whmcs_client_id), ev.whmcs_client_id, ev.email, ev.occurred_at),
    )
    cur.execute(
        """
        INSERT INTO instances (id, version, whmcs_service_id, whmcs_client_id, email, plan,
            region, status, subdomain, server_type, location, ready_token_sha256,
            created_at, updated_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, 'provisioning', %s, %s, %s, %s, %s, %s)
        ON CONFLICT (id) DO NOTHING
        """,
        (
            ev.instance_id,
            version,
            ev.whmcs_service_id,
            ev.whmcs_client_id,
            ev.email,
            ev.plan,
            ev.region,
            ev.subdomain,
            ev.server_type,
            ev.location,
            ev.ready_token_sha256,
            ev.occurred_at,
            ev.occurred_at,
        ),
    )


def _update(columns: Callable[[Any], dict[str, Any]]) -> Apply:
    """An instance update setting `columns(event)`, guarded by the event's sequence."""

    def apply(cur: Cursor[Any], ev: e.VpsEvent, version: int) -> None:
        values = columns(ev)
        assignments = ", ".join(f"{name} = %({name})s" for name in values)
        cur.execute(
            f"UPDATE instances SET {assignments}, version = %(version)s, "  # noqa: S608
            "updated_at = %(at)s WHERE id = %(id)s AND version < %(version)s",
            {**values, "version": version, "at": ev.occurred_at, "id": ev.instance_id},
        )

    return apply


def _config(cur: Cursor[Any], ev: e.ConfigUpdated, version: int) -> None:
    cur.execute(
        """
        UPDATE instances SET model = COALESCE(%(model)s, model),
            channels = channels || %(channels)s,
            secrets_set = ARRAY(SELECT DISTINCT unnest(secrets_set || %(secrets)s::text[])),
            version = %(version)s, updated_at = %(at)s
        WHERE id = %(id)s AND version < %(version)s
        """,
        {
            "model": ev.model,
            "channels": Jsonb(ev.channels),
            "secrets": ev.secrets_set,
            "version": version,
            "at": ev.occurred_at,
            "id": ev.instance_id,
        },
    )


def _job_started(cur: Cursor[Any], ev: e.JobStarted, _: int) -> None:
    cur.execute(
        """
        INSERT INTO jobs (id, instance_id, command, status, started_at)
        VALUES (%s, %s, %s, 'running', %s)
        ON CONFLICT (id) DO UPDATE SET instance_id = EXCLUDED.instance_id,
            command = EXCLUDED.command, started_at = EXCLUDED.started_at
        """,
        (ev.job_id, ev.instance_id, ev.command, ev.occurred_at),
    )


def _job_finished(status: str) -> Apply:
    def apply(cur: Cursor[Any], ev: e.JobSucceeded | e.JobFailed, _: int) -> None:
        code = getattr(ev, "error_code", None)
        message = getattr(ev, "error_message", None)
        result = Jsonb(getattr(ev, "result", {}))
        cur.execute(
            """
            INSERT INTO jobs (id, status, error_code, error_message, result, finished_at)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
                error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
                result = EXCLUDED.result, finished_at = EXCLUDED.finished_at
            """,
            (ev.job_id, status, code, message, result, ev.occurred_at),
        )

    return apply


def _dns_record(status: str) -> Apply:
    def apply(cur: Cursor[Any], ev: e.DnsEvent, _: int) -> None:
        cur.execute(
            """
            INSERT INTO dns_records (instance_id, record_name, record_id, content, status,
                error, updated_at)
            VALUES (%(instance_id)s, %(name)s, %(record_id)s, %(content)s, %(status)s, %(error)s,
                %(at)s)
            ON CONFLICT (instance_id) DO UPDATE SET record_id = COALESCE(EXCLUDED.record_id,
                dns_records.record_id), content = COALESCE(EXCLUDED.content,
                dns_records.content), status = EXCLUDED.status, error = EXCLUDED.error,
                updated_at = EXCLUDED.updated_at
            WHERE dns_records.updated_at <= EXCLUDED.updated_at
            """,
            {
                "instance_id": ev.instance_id,
                "name": ev.record_name,
                "record_id": getattr(ev, "record_id", None),
                "content": getattr(ev, "content", None),
                "status": status,
                "error": getattr(ev, "error_message", None),
                "at": ev.occurred_at,
            },
        )

    return apply


def _user(cur: Cursor[Any], ev: e.UserEvent, _: int) -> None:
    login = ev.occurred_at if isinstance(ev, e.UserLoggedIn) else None
    cur.execute(
        """
        INSERT INTO users (id, whmcs_client_id, email, created_at, last_login_at)
        VALUES (%s, %s, %s, %s, %s)
        ON CONFLICT (whmcs_client_id) DO UPDATE SET email = EXCLUDED.email,
            created_at = LEAST(users.created_at, EXCLUDED.created_at),
            last_login_at = GREATEST(EXCLUDED.last_login_at, users.last_login_at)
        """,
        (ev.user_id, ev.whmcs_client_id, ev.email, ev.occurred_at, login),
    )


def _webhook(cur: Cursor[Any], ev: e.WhmcsWebhookReceived, _: int) -> None:
    cur.execute(
        """
        INSERT INTO webhooks (id, event, service_id, client_id, data, command_id,
            received_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING
        """,
        (
            ev.webhook_id,
            ev.event,
            ev.service_id,
            ev.client_id,
            Jsonb(ev.data),
            ev.command_id,
            ev.occurred_at,
        ),
    )


PROJECTIONS: dict[type[e.EventPayload], Apply] = {
    e.InstanceCreated: _instance_created,
    e.ServerCreated: _update(
        lambda ev: {
            "hetzner_id": ev.hetzner_id,
            "server_type": ev.server_type,
            "datacenter": ev.datacenter,
            "ip_address": ev.ip_address,
        }
    ),
    e.DnsAssigned: _update(
        lambda ev: {"cloudflare_record_id": ev.cloudflare_record_id, "fqdn": ev.fqdn}
    ),
    e.ReadyReported: _update(
        lambda ev: {
            "openclaw_version": ev.openclaw_version,
            "gateway_port": ev.gateway_port,
            "ready_at": ev.occurred_at,
        }
    ),
    e.InstanceActivated: _update(lambda ev: {"status": "active"}),
    e.SuspendRequested: _update(lambda ev: {"pending_operation": "suspend"}),
    e.UnsuspendRequested: _update(lambda ev: {"pending_operation": "unsuspend"}),
    e.TerminateRequested: _update(lambda ev: {"pending_operation": "terminate"}),
    e.RebootRequested: _update(lambda ev: {"pending_operation": "reboot"}),
    e.ResizeRequested: _update(lambda ev: {"pending_operation": "resize"}),
    e.InstanceRebooted: _update(lambda ev: {"pending_operation": None}),
    e.OperationFailed: _update(lambda ev: {"pending_operation": None}),
    e.ConfigUpdated: _config,
    e.InstanceResized: _update(
        lambda ev: {"pending_operation": None, "plan": ev.plan, "server_type": ev.server_type}
    ),
    e.InstanceSuspended: _update(
        lambda ev: {
            "status": "suspended",
            "pending_operation": None,
            "suspended_at": ev.occurred_at,
        }
    ),
    e.InstanceUnsuspended: _update(
        lambda ev: {"status": "active", "pending_operation": None, "unsuspended_at": ev.occurred_at}
    ),
    e.InstanceTerminated: _update(
        lambda ev: {
            "status": "terminated",
            "pending_operation": None,
            "terminated_at": ev.occurred_at,
            "data_deleted": ev.data_deleted,
        }
    ),
    e.ProvisioningFailed: _update(
        lambda ev: {"error_code": ev.error_code, "error_message": ev.error_message}
    ),
    e.InstanceErrored: _update(
        lambda ev: {
            "status": "error",
            "error_code": ev.error_code,
            "error_message": ev.error_message,
        }
    ),
    e.RecordCreated: _dns_record("created"),
    e.RecordFailed: _dns_record("failed"),
    e.RecordDeleted: _dns_record("deleted"),
    e.WhmcsWebhookReceived: _webhook,
    e.UserRegistered: _user,
    e.UserLoggedIn: _user,
    e.JobStarted: _job_started,
    e.JobSucceeded: _job_finished("succeeded"),
    e.JobFailed: _job_finished("failed"),
}


# What the platform did to an instance, as lines of its log (source "system").
PLATFORM_LOG: dict[type[e.EventPayload], tuple[str, Callable[[Any], str]]] = {
    e.InstanceCreated: ("info", lambda ev: f"Instance ordered: {ev.plan} plan in {ev.region}"),
    e.ServerCreated: (
        "info",
        lambda ev: (
            f"Server {ev.hetzner_id} ({ev.server_type}) running in {ev.datacenter} "
            f"at {ev.ip_address}"
        ),
    ),
    e.DnsAssigned: ("info", lambda ev: f"DNS {ev.fqdn} points at the server"),
    e.ReadyReported: ("info", lambda ev: f"OpenClaw {ev.openclaw_version} reported ready"),
    e.InstanceActivated: ("info", lambda ev: "Instance is active"),
    e.InstanceSuspended: ("warn", lambda ev: "Instance suspended: server powered off"),
    e.InstanceUnsuspended: ("info", lambda ev: "Instance unsuspended: server powered on"),
    e.InstanceRebooted: ("info", lambda ev: "Server rebooted"),
    e.InstanceResized: ("info", lambda ev: f"Moved to the {ev.plan} plan ({ev.server_type})"),
    e.ConfigUpdated: (
        "info",
        lambda ev: "Settings changed" + ("; restart required" if ev.restart_required else ""),
    ),
    e.OperationQueued: (
        "info",
        lambda ev: f"{ev.operation.capitalize()} queued behind {ev.behind}",
    ),
    e.OperationSkipped: (
        "info",
        lambda ev: f"{ev.operation.capitalize()} needed nothing: already {ev.status}",
    ),
    e.OperationRefused: (
        "warn",
        lambda ev: f"{ev.operation.capitalize()} refused: {ev.error_message}",
    ),
    e.OperationFailed: ("error", lambda ev: f"Operation failed: {ev.error_message}"),
    e.ProvisioningFailed: ("error", lambda ev: f"Provisioning failed: {ev.error_message}"),
    e.InstanceErrored: ("error", lambda ev: "Rolled back: nothing is left at the providers"),
    e.InstanceTerminated: ("warn", lambda ev: "Instance terminated: server and data deleted"),
}


def _platform_log(cur: Cursor[Any], event: e.EventPayload, sequence: int) -> None:
    entry = PLATFORM_LOG.get(type(event))
    if entry is None or not isinstance(event, e.VpsEvent):
        return
    level, message = entry
    cur.execute(
        """
        INSERT INTO instance_logs (instance_id, ts, level, severity, source, message,
            batch_id, seq)
        VALUES (%s, %s, %s, %s, 'system', %s, %s, 0) ON CONFLICT (batch_id, seq) DO NOTHING
        """,
        (
            event.instance_id,
            event.occurred_at,
            level,
            SEVERITY[LogLevel(level)],
            message(event),
            uuid5(event.instance_id, f"vps-event:{sequence}"),
        ),
    )


def project(cur: Cursor[Any], event: e.EventPayload, sequence: int) -> None:
    """Apply one event to the read tables (inside the caller's transaction).

    Some events only add a line to the instance's log (an operation queued, skipped or
    refused leaves the instance as it was).
    """
    apply = PROJECTIONS.get(type(event))
    if apply is not None:
        apply(cur, event, sequence)
    _platform_log(cur, event, sequence)
