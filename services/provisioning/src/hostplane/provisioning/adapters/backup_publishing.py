"""What a Backup's stored events look like on `vps.events` (keyed by the backup's id)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hostplane.contracts import events as contract
from hostplane.provisioning.domain.backup import Backup


def _taken(e: Any, at: datetime) -> contract.EventPayload:
    return contract.BackupCreated(
        occurred_at=at,
        instance_id=e.instance_id,
        backup_id=e.originator_id,
        name=e.name,
        provider=e.provider,
        size_bytes=e.size_bytes,
        created_at=e.taken_at,
    )


BACKUP_PAYLOADS: dict[type[Any], Callable[[Any, datetime], contract.EventPayload | None]] = {
    Backup.Requested: lambda e, at: contract.BackupRequested(
        occurred_at=at,
        instance_id=e.instance_id,
        backup_id=e.originator_id,
        name=e.name,
        description=e.description,
        kind=e.kind,
        job_id=e.job_id,
    ),
    Backup.Taken: _taken,
    Backup.Failed: lambda e, at: contract.BackupFailed(
        occurred_at=at,
        instance_id=e.instance_id,
        backup_id=e.originator_id,
        name=e.name,
        error_code=e.code,
        error_message=e.message,
    ),
    Backup.DeletionRequested: lambda e, at: contract.BackupDeletionRequested(
        occurred_at=at, instance_id=e.instance_id, backup_id=e.originator_id, job_id=e.job_id
    ),
    Backup.Deleted: lambda e, at: contract.BackupDeleted(
        occurred_at=at, instance_id=e.instance_id, backup_id=e.originator_id
    ),
    Backup.DeletionFailed: lambda e, at: contract.BackupDeletionFailed(
        occurred_at=at,
        instance_id=e.instance_id,
        backup_id=e.originator_id,
        error_code=e.code,
        error_message=e.message,
    ),
}
