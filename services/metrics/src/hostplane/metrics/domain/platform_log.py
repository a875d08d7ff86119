"""What the platform did to an instance, as lines of its log (source "system")."""

from collections.abc import Callable
from typing import Any
from uuid import uuid5

from hostplane.contracts import events as e
from hostplane.contracts.telemetry import LogLevel
from hostplane.metrics.domain.changes import LogLine
from hostplane.metrics.domain.provider_ids import server_id

INFO, WARN, ERROR = LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR


def _server_line(ev: e.ServerCreated) -> str:
    return (
        f"Server {server_id(ev)} ({ev.server_type}) running in {ev.datacenter} at {ev.ip_address}"
    )


PLATFORM_LOG: dict[type[e.EventPayload], tuple[LogLevel, Callable[[Any], str]]] = {
    e.InstanceCreated: (INFO, lambda ev: f"Instance ordered: {ev.plan} plan in {ev.region}"),
    e.ServerCreated: (INFO, _server_line),
    e.DnsAssigned: (INFO, lambda ev: f"DNS {ev.fqdn} points at the server"),
    e.ReadyReported: (INFO, lambda ev: f"OpenClaw {ev.openclaw_version} reported ready"),
    e.InstanceActivated: (INFO, lambda ev: "Instance is active"),
    e.InstanceSuspended: (WARN, lambda ev: "Instance suspended: server powered off"),
    e.InstanceUnsuspended: (INFO, lambda ev: "Instance unsuspended: server powered on"),
    e.InstanceRebooted: (INFO, lambda ev: "Server rebooted"),
    e.InstanceStopped: (INFO, lambda ev: "Server stopped by its owner"),
    e.InstanceStarted: (INFO, lambda ev: "Server started by its owner"),
    e.InstanceRebuilt: (WARN, lambda ev: f"Server rebuilt with {ev.image}: its disk was rewritten"),
    e.InstanceResized: (INFO, lambda ev: f"Moved to the {ev.plan} plan ({ev.server_type})"),
    e.ConfigUpdated: (
        INFO,
        lambda ev: "Settings changed" + ("; restart required" if ev.restart_required else ""),
    ),
    e.OperationQueued: (
        INFO,
        lambda ev: f"{ev.operation.capitalize()} queued behind {ev.behind}",
    ),
    e.OperationSkipped: (
        INFO,
        lambda ev: f"{ev.operation.capitalize()} needed nothing: already {ev.status}",
    ),
    e.OperationRefused: (
        WARN,
        lambda ev: f"{ev.operation.capitalize()} refused: {ev.error_message}",
    ),
    e.OperationFailed: (ERROR, lambda ev: f"Operation failed: {ev.error_message}"),
    e.ProvisioningFailed: (ERROR, lambda ev: f"Provisioning failed: {ev.error_message}"),
    e.InstanceErrored: (ERROR, lambda ev: "Rolled back: nothing is left at the providers"),
    e.InstanceTerminated: (WARN, lambda ev: "Instance terminated: server and data deleted"),
}


def log_line(event: e.EventPayload, version: int) -> LogLine | None:
    """The log line an instance's event adds, if any; the same event always makes the same
    line (its id derives from the instance's version), so it is added once."""
    entry = PLATFORM_LOG.get(type(event))
    if entry is None or not isinstance(event, e.VpsEvent):
        return None
    level, message = entry
    return LogLine(
        event.instance_id,
        event.occurred_at,
        level,
        message(event),
        uuid5(event.instance_id, f"vps-event:{version}"),
    )
