"""How each change is written: one SQL statement per kind, inside the caller's transaction."""

from collections.abc import Callable
from functools import cache
from typing import Any

from psycopg import Cursor, sql
from psycopg.types.json import Jsonb

from hostplane.contracts.telemetry import SEVERITY
from hostplane.metrics.adapters.backup_writes import BACKUP_WRITES
from hostplane.metrics.adapters.billing_writes import BILLING_WRITES
from hostplane.metrics.adapters.network_writes import NETWORK_WRITES
from hostplane.metrics.adapters.ticket_writes import TICKET_WRITES
from hostplane.metrics.domain.changes import (
    Change,
    DnsRecordChanged,
    InstanceAdded,
    InstanceChanged,
    InstanceConfigured,
    JobFinished,
    JobStarted,
    LogLine,
    UserSeen,
    WebhookReceived,
)

# Writers take the change (of the type they are listed under).
Write = Callable[[Cursor[Any], Any], None]


def _instance_added(cur: Cursor[Any], change: InstanceAdded) -> None:
    order = change.order
    cur.execute(
        """
        INSERT INTO instances (id, version, whmcs_service_id, whmcs_client_id, email, plan,
            region, status, subdomain, server_type, location, ready_token_sha256,
            created_at, updated_at, tenant_id, image)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (id) DO NOTHING
        """,
        (
            order.instance_id,
            change.version,
            order.whmcs_service_id,
            order.whmcs_client_id,
            order.email,
            order.plan,
            order.region,
            change.status,
            order.subdomain,
            order.server_type,
            order.location,
            order.ready_token_sha256,
            order.occurred_at,
            order.occurred_at,
            order.tenant_id,
            order.image,
        ),
    )


@cache
def _update_of(columns: tuple[str, ...]) -> bytes:
    """The guarded update setting `columns`, as text: there are few combinations, and each is
    composed once rather than for every event (replays apply thousands a second)."""
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in columns
    )
    update = sql.SQL(
        "UPDATE instances SET {}, version = %(version)s, updated_at = %(at)s "
        "WHERE id = %(id)s AND version < %(version)s"
    )
    return update.format(assignments).as_bytes()


def _instance_changed(cur: Cursor[Any], change: InstanceChanged) -> None:
    cur.execute(
        _update_of(tuple(change.fields)),
        {**change.fields, "version": change.version, "at": change.at, "id": change.instance_id},
    )


def _instance_configured(cur: Cursor[Any], change: InstanceConfigured) -> None:
    cur.execute(
        """
        UPDATE instances SET model = COALESCE(%(model)s, model),
            channels = channels || %(channels)s,
            secrets_set = ARRAY(SELECT DISTINCT unnest(secrets_set || %(secrets)s::text[])),
            version = %(version)s, updated_at = %(at)s
        WHERE id = %(id)s AND version < %(version)s
        """,
        {
            "model": change.model,
            "channels": Jsonb(change.channels),
            "secrets": change.secrets_set,
            "version": change.version,
            "at": change.at,
            "id": change.instance_id,
        },
    )


def _user_seen(cur: Cursor[Any], change: UserSeen) -> None:
    cur.execute(
        """
        INSERT INTO users (id, whmcs_client_id, email, created_at, last_login_at)
        VALUES (%(id)s, %(client)s, %(email)s, %(at)s, %(login)s)
        ON CONFLICT (whmcs_client_id) DO UPDATE
            SET email = CASE WHEN %(current)s THEN EXCLUDED.email ELSE users.email END,
            created_at = LEAST(users.created_at, EXCLUDED.created_at),
            last_login_at = GREATEST(EXCLUDED.last_login_at, users.last_login_at)
        """,
        {
            "id": change.user_id,
            "client": change.whmcs_client_id,
            "email": change.email,
            "at": change.at,
            "login": change.logged_in_at,
            "current": change.email_is_current,
        },
    )


def _job_started(cur: Cursor[Any], change: JobStarted) -> None:
    cur.execute(
        """
        INSERT INTO jobs (id, instance_id, command, status, started_at)
        VALUES (%s, %s, %s, 'running', %s)
        ON CONFLICT (id) DO UPDATE SET instance_id = EXCLUDED.instance_id,
            command = EXCLUDED.command, started_at = EXCLUDED.started_at
        """,
        (change.job_id, change.instance_id, change.command, change.at),
    )


def _job_finished(cur: Cursor[Any], change: JobFinished) -> None:
    cur.execute(
        """
        INSERT INTO jobs (id, status, error_code, error_message, result, finished_at)
        VALUES (%s, %s, %s, %s, %s, %s)
        ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
            error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
            result = EXCLUDED.result, finished_at = EXCLUDED.finished_at
        """,
        (
            change.job_id,
            change.status,
            change.error_code,
            change.error_message,
            Jsonb(change.result),
            change.at,
        ),
    )


def _dns_record_changed(cur: Cursor[Any], change: DnsRecordChanged) -> None:
    cur.execute(
        """
        INSERT INTO dns_records (instance_id, record_name, record_id, content, status,
            error, updated_at, provider)
        VALUES (%(instance_id)s, %(name)s, %(record_id)s, %(content)s, %(status)s, %(error)s,
            %(at)s, %(provider)s)
        ON CONFLICT (instance_id) DO UPDATE SET record_id = COALESCE(EXCLUDED.record_id,
            dns_records.record_id), content = COALESCE(EXCLUDED.content,
            dns_records.content), status = EXCLUDED.status, error = EXCLUDED.error,
            updated_at = EXCLUDED.updated_at,
            provider = COALESCE(EXCLUDED.provider, dns_records.provider)
        WHERE dns_records.updated_at <= EXCLUDED.updated_at
        """,
        {
            "instance_id": change.instance_id,
            "name": change.record_name,
            "record_id": change.record_id,
            "content": change.content,
            "status": change.status,
            "error": change.error,
            "at": change.at,
            "provider": change.provider,
        },
    )


def _webhook_received(cur: Cursor[Any], change: WebhookReceived) -> None:
    hook = change.webhook
    cur.execute(
        """
        INSERT INTO webhooks (id, event, service_id, client_id, data, command_id,
            received_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING
        """,
        (
            hook.webhook_id,
            hook.event,
            hook.service_id,
            hook.client_id,
            Jsonb(hook.data),
            hook.command_id,
            hook.occurred_at,
        ),
    )


def _log_line(cur: Cursor[Any], change: LogLine) -> None:
    cur.execute(
        """
        INSERT INTO instance_logs (instance_id, ts, level, severity, source, message,
            batch_id, seq)
        VALUES (%s, %s, %s, %s, 'system', %s, %s, 0) ON CONFLICT (batch_id, seq) DO NOTHING
        """,
        (
            change.instance_id,
            change.ts,
            change.level.value,
            SEVERITY[change.level],
            change.message,
            change.batch_id,
        ),
    )


WRITES: dict[type[Change], Write] = {
    InstanceAdded: _instance_added,
    InstanceChanged: _instance_changed,
    InstanceConfigured: _instance_configured,
    UserSeen: _user_seen,
    JobStarted: _job_started,
    JobFinished: _job_finished,
    DnsRecordChanged: _dns_record_changed,
    WebhookReceived: _webhook_received,
    LogLine: _log_line,
    **BILLING_WRITES,
    **TICKET_WRITES,
    **NETWORK_WRITES,
    **BACKUP_WRITES,
}


def write_change(cur: Cursor[Any], change: Change) -> None:
    """Write one change (inside the caller's transaction)."""
    WRITES[type(change)](cur, change)
