"""Backups' projection rules: what each backup event changes in `views.backups`, and what a
restore changes on its instance.

A backup's events are published under its own id (its version guards every change); a
restore is an operation of the instance, shown as the operation in progress.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict
from uuid import UUID

from hostplane.contracts import events as e
from hostplane.contracts.payload import EventPayload
from hostplane.metrics.domain.changes import InstanceChanged, InstanceFields


class BackupFields(TypedDict, total=False):
    """The columns of `backups` an event may set."""

    status: str
    size_bytes: int
    taken_at: datetime
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True)
class BackupAdded:
    """A backup asked for, in `creating` (a backup arrives once)."""

    requested: e.BackupRequested
    version: int


@dataclass(frozen=True)
class BackupChanged:
    """Columns of a backup, set unless a newer event was applied to it already."""

    backup_id: UUID
    version: int
    at: datetime
    fields: BackupFields


BackupChange = BackupAdded | BackupChanged


def _sets(fields: Callable[[Any], BackupFields]) -> Callable[[Any, int], list[Any]]:
    def rule(ev: e.BackupEvent, version: int) -> list[Any]:
        return [BackupChanged(ev.backup_id, version, ev.occurred_at, fields(ev))]

    return rule


def _restore_requested(ev: e.RestoreRequested, version: int) -> list[Any]:
    # A restore's events are the instance's: its version orders them with the others.
    fields: InstanceFields = {"pending_operation": "restore"}
    return [InstanceChanged(ev.instance_id, version, ev.occurred_at, fields)]


def _restored(ev: e.InstanceRestored, version: int) -> list[Any]:
    # The restored disk boots, whether the server was stopped before or not.
    fields: InstanceFields = {
        "pending_operation": None,
        "stopped_at": None,
        "running_since": ev.occurred_at,
    }
    return [InstanceChanged(ev.instance_id, version, ev.occurred_at, fields)]


BACKUP_RULES: dict[type[EventPayload], Callable[[Any, int], list[Any]]] = {
    e.BackupRequested: lambda ev, version: [BackupAdded(ev, version)],
    e.BackupCreated: _sets(
        lambda ev: {"status": "available", "size_bytes": ev.size_bytes, "taken_at": ev.created_at}
    ),
    e.BackupFailed: _sets(
        lambda ev: {
            "status": "failed",
            "error_code": ev.error_code,
            "error_message": ev.error_message,
        }
    ),
    e.BackupDeletionRequested: _sets(lambda ev: {"status": "deleting"}),
    e.BackupDeleted: _sets(lambda ev: {"status": "deleted"}),
    e.BackupDeletionFailed: _sets(lambda ev: {"status": "available"}),
    e.RestoreRequested: _restore_requested,
    e.InstanceRestored: _restored,
}
