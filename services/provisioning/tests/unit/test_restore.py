"""Restoring a backup is an operation of its instance: queued with the others, carrying its
backup through the queue, and leaving the server running."""

from uuid import uuid4

import pytest

from hostplane.contracts.openclaw import InstanceStatus
from hostplane.provisioning.domain.operations import Operation
from services.provisioning.tests.unit.test_instance import active_instance, suspended_instance
from services.provisioning.tests.unit.test_power_and_rebuild import stopped_instance


def test_a_restore_names_its_backup_and_leaves_a_stopped_server_running() -> None:
    instance = stopped_instance()
    job, backup_id = uuid4(), uuid4()
    assert instance.request(Operation.RESTORE, job, backup_id=backup_id) == []
    assert instance.pending is not None
    assert (instance.pending.operation, instance.pending.backup_id) == (
        Operation.RESTORE,
        backup_id,
    )
    [restored] = instance.confirm(Operation.RESTORE)
    assert restored.job_id == job and restored.code is None
    assert instance.running and instance.status is InstanceStatus.ACTIVE
    assert instance.pending is None


def test_a_restore_queued_behind_a_stop_keeps_its_backup_for_its_turn() -> None:
    instance = active_instance()
    backup_id = uuid4()
    instance.request(Operation.STOP, uuid4())
    assert instance.request(Operation.RESTORE, uuid4(), backup_id=backup_id) == []
    assert instance.queue[0].backup_id == backup_id
    instance.confirm(Operation.STOP)
    assert instance.pending is not None and instance.pending.backup_id == backup_id


def test_a_restore_survives_the_aggregate_being_rebuilt_from_its_events() -> None:
    instance = active_instance()
    backup_id = uuid4()
    instance.request(Operation.REBOOT, uuid4())
    instance.request(Operation.RESTORE, uuid4(), backup_id=backup_id)
    instance.confirm(Operation.REBOOT)
    copy = None
    for stored in instance.collect_events():
        copy = stored.mutate(copy)
    assert copy is not None and copy.pending is not None
    assert (copy.pending.operation, copy.pending.backup_id) == (Operation.RESTORE, backup_id)


def test_a_suspended_instance_is_not_restored() -> None:
    instance = suspended_instance()
    [refused] = instance.request(Operation.RESTORE, uuid4(), backup_id=uuid4())
    assert (refused.code, refused.message) == ("INVALID_STATE", "Instance is suspended")


def test_only_a_restore_names_a_backup() -> None:
    instance = active_instance()
    with pytest.raises(ValueError, match="names a backup"):
        instance.request(Operation.RESTORE, uuid4())
    with pytest.raises(ValueError, match="names a backup"):
        instance.request(Operation.REBOOT, uuid4(), backup_id=uuid4())
