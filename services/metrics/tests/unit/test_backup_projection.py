"""Projection rules of a VPS's backups into `views.backups`, and of a restore on its VPS."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hostplane.contracts import events as e
from hostplane.metrics.domain.backup_projection import BackupAdded, BackupChanged
from hostplane.metrics.domain.projection import changes
from services.metrics.tests.unit.test_projection import instance_fields

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def backup_changes(event: e.BackupEvent, version: int) -> list[object]:
    """What the event changes in `views.backups` (its audit line aside)."""
    return [c for c in changes(event, version) if isinstance(c, BackupAdded | BackupChanged)]


def test_a_backup_is_added_creating_then_shows_what_the_provider_took() -> None:
    vps, backup = uuid4(), uuid4()
    requested = e.BackupRequested(
        occurred_at=NOW,
        instance_id=vps,
        backup_id=backup,
        name="Nightly",
        description=None,
        kind="manual",
        job_id=uuid4(),
    )
    assert backup_changes(requested, 1) == [BackupAdded(requested, 1)]
    taken_at = NOW - timedelta(seconds=30)
    created = e.BackupCreated(
        occurred_at=NOW,
        instance_id=vps,
        backup_id=backup,
        name="Nightly",
        provider="hetzner",
        size_bytes=2_400_000_000,
        created_at=taken_at,
    )
    assert backup_changes(created, 2) == [
        BackupChanged(
            backup,
            2,
            NOW,
            {"status": "available", "size_bytes": 2_400_000_000, "taken_at": taken_at},
        )
    ]


def test_a_failed_backup_keeps_why() -> None:
    failed = e.BackupFailed(
        occurred_at=NOW,
        instance_id=uuid4(),
        backup_id=uuid4(),
        name="Nightly",
        error_code="BACKUP_FAILED",
        error_message="action_failed",
    )
    [change] = backup_changes(failed, 2)
    assert isinstance(change, BackupChanged)
    assert change.fields == {
        "status": "failed",
        "error_code": "BACKUP_FAILED",
        "error_message": "action_failed",
    }


def test_a_restore_shows_while_it_runs_then_the_server_running_again() -> None:
    vps, backup = uuid4(), uuid4()
    asked = e.RestoreRequested(occurred_at=NOW, instance_id=vps, job_id=uuid4(), backup_id=backup)
    assert instance_fields(asked) == {"pending_operation": "restore"}
    later = NOW + timedelta(minutes=2)
    restored = e.InstanceRestored(occurred_at=later, instance_id=vps, backup_id=backup)
    assert instance_fields(restored) == {
        "pending_operation": None,
        "stopped_at": None,
        "running_since": later,
    }
