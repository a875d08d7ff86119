"""A customer's stop, start and rebuild of their instance, decided without I/O."""

from uuid import uuid4

import pytest

from hostplane.contracts.openclaw import InstanceStatus, iso
from hostplane.provisioning.domain.instance import Instance
from hostplane.provisioning.domain.operations import (
    JobOutcome,
    Operation,
    RebuildChoice,
)
from services.provisioning.tests.unit.test_instance import active_instance, suspended_instance

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl jo@laptop"


def stopped_instance() -> Instance:
    instance = active_instance()
    instance.request(Operation.STOP, uuid4())
    instance.confirm(Operation.STOP)
    return instance


def test_a_stop_powers_off_and_a_start_powers_on_again() -> None:
    instance = active_instance()
    stop_job, start_job = uuid4(), uuid4()
    assert instance.request(Operation.STOP, stop_job) == []  # the saga powers it off
    assert instance.pending is not None and instance.pending.operation is Operation.STOP
    [stopped] = instance.confirm(Operation.STOP)
    assert not instance.running and instance.status is InstanceStatus.ACTIVE
    assert stopped == JobOutcome(
        stop_job, {"status": "active", "at": iso(instance.stopped_at), "power": "off"}
    )
    instance.request(Operation.START, start_job)
    [started] = instance.confirm(Operation.START)
    assert instance.running and started.result["power"] == "on"


def test_stopping_a_stopped_instance_succeeds_without_acting_and_says_since_when() -> None:
    instance = stopped_instance()
    job = uuid4()
    [outcome] = instance.request(Operation.STOP, job)
    assert outcome == JobOutcome(
        job, {"status": "active", "at": iso(instance.stopped_at), "power": "off"}
    )
    assert instance.pending is None


def test_starting_a_running_instance_succeeds_without_acting() -> None:
    instance = active_instance()
    [outcome] = instance.request(Operation.START, uuid4())
    assert outcome.code is None and outcome.result["power"] == "on"
    assert instance.pending is None


@pytest.mark.parametrize("operation", [Operation.START, Operation.STOP])
def test_a_suspended_instance_is_not_its_customers_to_switch(operation: Operation) -> None:
    instance = suspended_instance()
    [refused] = instance.request(operation, uuid4())
    assert (refused.code, refused.message) == ("INVALID_STATE", "Instance is suspended")
    assert refused.result == {"status": "suspended"}


def test_a_stopped_instance_is_not_rebooted_and_unsuspending_powers_it_on() -> None:
    instance = stopped_instance()
    [refused] = instance.request(Operation.REBOOT, uuid4())
    assert (refused.code, refused.message) == ("INVALID_STATE", "Instance is stopped")
    instance.request(Operation.SUSPEND, uuid4())
    instance.confirm(Operation.SUSPEND)
    instance.request(Operation.UNSUSPEND, uuid4())
    instance.confirm(Operation.UNSUSPEND)
    assert instance.running


def test_a_rebuild_names_its_image_and_keys_and_leaves_the_server_running() -> None:
    instance = stopped_instance()
    job = uuid4()
    assert (
        instance.request(Operation.REBUILD, job, rebuild=RebuildChoice("debian-12", (KEY,))) == []
    )
    assert instance.pending is not None
    assert (instance.pending.image, instance.pending.ssh_keys) == ("debian-12", (KEY,))
    [done] = instance.confirm(Operation.REBUILD)
    assert done.job_id == job and done.code is None
    assert (instance.image, instance.running) == ("debian-12", True)


def test_a_rebuild_queued_behind_a_stop_keeps_its_image_and_keys_for_its_turn() -> None:
    instance = active_instance()
    instance.request(Operation.STOP, uuid4())
    instance.request(Operation.REBUILD, uuid4(), rebuild=RebuildChoice("debian-12", (KEY,)))
    assert [q.image for q in instance.queue] == ["debian-12"]
    [_] = instance.confirm(Operation.STOP)  # the stop's job; the rebuild now runs
    assert instance.pending is not None and instance.pending.operation is Operation.REBUILD
    assert instance.pending.ssh_keys == (KEY,)


def test_only_a_rebuild_names_an_image() -> None:
    instance = active_instance()
    with pytest.raises(ValueError):
        instance.request(Operation.REBUILD, uuid4())
    with pytest.raises(ValueError):
        instance.request(Operation.STOP, uuid4(), rebuild=RebuildChoice("debian-12"))
