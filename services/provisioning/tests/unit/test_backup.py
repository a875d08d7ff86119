"""The Backup aggregate: creating → available | failed, then deleting → deleted."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from hostplane.provisioning.domain.backup import Backup, BackupNotRestorable, BackupStatus

TAKEN = datetime(2025, 1, 15, 3, 0, tzinfo=UTC)


def requested(backup_id: UUID | None = None) -> Backup:
    return Backup(
        backup_id=backup_id or uuid4(),
        instance_id=uuid4(),
        provider="hetzner",
        name="Pre-update backup",
        description="Backup before system update",
        kind="manual",
        job_id=uuid4(),
    )


def test_a_backup_is_known_by_the_id_its_command_chose() -> None:
    backup_id = uuid4()
    backup = requested(backup_id)
    assert backup.id == backup_id == Backup.create_id(backup_id)
    assert backup.status is BackupStatus.CREATING


def test_a_taken_backup_is_available_with_its_size_once() -> None:
    backup = requested()
    backup.record_taken(2_400_000_000, TAKEN)
    backup.record_taken(1, datetime.now(UTC))  # a step repeated: nothing changes
    assert (backup.status, backup.size_bytes, backup.taken_at) == (
        BackupStatus.AVAILABLE,
        2_400_000_000,
        TAKEN,
    )
    assert len(backup.collect_events()) == 2
    backup.check_restorable()


def test_a_failed_backup_cannot_be_restored_and_its_deletion_does_nothing() -> None:
    backup = requested()
    backup.fail("BACKUP_FAILED", "action_failed: injected failure")
    backup.record_taken(5, TAKEN)
    assert backup.status is BackupStatus.FAILED
    with pytest.raises(BackupNotRestorable) as refused:
        backup.check_restorable()
    assert refused.value.code == "CONFLICT"
    assert backup.request_deletion(uuid4()) is False


def test_a_backup_still_being_taken_is_a_conflict() -> None:
    backup = requested()
    with pytest.raises(BackupNotRestorable, match="Backup is creating"):
        backup.check_restorable()
    with pytest.raises(BackupNotRestorable):
        backup.request_deletion(uuid4())


def test_a_deletion_ends_deleted_or_back_to_available() -> None:
    backup = requested()
    backup.record_taken(10, TAKEN)
    job_id = uuid4()
    assert backup.request_deletion(job_id) is True
    assert (backup.status, backup.deletion_job_id) == (BackupStatus.DELETING, job_id)
    backup.deletion_failed("BACKUP_DELETE_FAILED", "unavailable")
    assert backup.status is BackupStatus.AVAILABLE
    backup.request_deletion(uuid4())
    backup.record_deleted()
    assert backup.status is BackupStatus.DELETED
    assert backup.request_deletion(uuid4()) is False


def test_every_event_names_the_instance_it_is_of() -> None:
    backup = requested()
    backup.record_taken(10, TAKEN)
    backup.request_deletion(uuid4())
    backup.record_deleted()
    events = backup.collect_events()
    assert {getattr(e, "instance_id", None) for e in events} == {backup.instance_id}
