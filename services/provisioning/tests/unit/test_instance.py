"""The Instance lifecycle, decided without I/O."""

import json
from collections.abc import Callable
from dataclasses import replace
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from hostplane.contracts.catalog import PLANS, Plan
from hostplane.contracts.openclaw import InstanceStatus, iso
from hostplane.provisioning.domain.instance import Instance, ServerFacts
from hostplane.provisioning.domain.operations import (
    JobOutcome,
    Operation,
    PlanChoice,
    TransitionRefused,
)

SERVER = ServerFacts(
    provider="hetzner",
    server_id=42,
    server_type="cx22",
    datacenter="fsn1-dc14",
    ip_address="1.2.3.4",
)


def to(plan: Plan) -> PlanChoice:
    """A resize's target at Hetzner, from the default catalog."""
    return PlanChoice(plan.value, PLANS[plan].size_at("hetzner"), PLANS[plan].disk_gb)


def new_instance() -> Instance:
    return Instance(
        whmcs_service_id=1001,
        whmcs_client_id=7,
        plan="starter",
        region="eu-frankfurt",
        email="a@example.com",
        subdomain="abc",
        provider="hetzner",
        server_type="cx22",
        location="fsn1",
        disk_gb=40,
        ai_preset=None,
        ssh_key_ids=[],
        ready_token_sha256="0" * 64,
        job_id=uuid4(),
        instance_id=None,
        tenant_id=None,
        customer_id=None,
        subscription_id=None,
        image=None,
        ssh_public_keys=None,
    )


def active_instance() -> Instance:
    instance = new_instance()
    instance.record_server(SERVER)
    instance.assign_dns("rec-1", "abc.hostplane.test")
    instance.report_ready("2026.11.0", 18789)
    return instance


def suspended_instance() -> Instance:
    instance = active_instance()
    instance.request(Operation.SUSPEND, uuid4())
    instance.confirm(Operation.SUSPEND)
    return instance


def terminated_instance() -> Instance:
    instance = active_instance()
    instance.request(Operation.TERMINATE, uuid4())
    instance.confirm(Operation.TERMINATE)
    return instance


def errored_instance() -> Instance:
    instance = new_instance()
    instance.fail("DNS_FAILED", "zone refused")
    instance.mark_errored()
    return instance


def test_the_id_follows_the_whmcs_service() -> None:
    assert new_instance().id == new_instance().id


def test_becomes_active_once_server_dns_and_ready_callback_are_all_in() -> None:
    instance = new_instance()
    instance.report_ready("2026.11.0", 18789)  # the callback may beat DNS
    instance.record_server(SERVER)
    assert instance.status is InstanceStatus.PROVISIONING
    instance.assign_dns("rec-1", "abc.hostplane.test")
    assert instance.status is InstanceStatus.ACTIVE
    assert instance.server == SERVER


def test_a_repeated_step_records_nothing_new() -> None:
    instance = active_instance()
    version = instance.version
    instance.record_server(SERVER)
    instance.assign_dns("rec-2", "x")
    instance.report_ready("other", 1)
    assert instance.version == version
    assert instance.dns_record_id == "rec-1"


def test_failure_then_compensation_ends_in_error() -> None:
    instance = new_instance()
    instance.record_server(SERVER)
    instance.fail("DNS_FAILED", "zone refused")
    assert instance.status is InstanceStatus.PROVISIONING
    instance.assign_dns("late", "late")  # a late success no longer counts
    assert instance.dns_record_id is None
    instance.mark_errored()
    assert instance.status is InstanceStatus.ERROR
    assert instance.error_code == "DNS_FAILED"


def test_suspend_and_unsuspend_round_trip() -> None:
    instance = active_instance()
    suspend_job, unsuspend_job = uuid4(), uuid4()
    assert instance.request(Operation.SUSPEND, suspend_job) == []
    assert instance.status is InstanceStatus.ACTIVE
    [suspended] = instance.confirm(Operation.SUSPEND)
    assert suspended.job_id == suspend_job and suspended.code is None
    assert instance.status is InstanceStatus.SUSPENDED
    assert suspended.result == {"status": "suspended", "at": iso(instance.suspended_at)}
    instance.request(Operation.UNSUSPEND, unsuspend_job)
    [unsuspended] = instance.confirm(Operation.UNSUSPEND)
    assert unsuspended.job_id == unsuspend_job
    assert unsuspended.result == {"status": "active", "at": iso(instance.unsuspended_at)}
    assert instance.status is InstanceStatus.ACTIVE


def test_a_command_whose_target_holds_succeeds_without_acting_and_says_since_when() -> None:
    instance = suspended_instance()
    version, job = instance.version, uuid4()
    [outcome] = instance.request(Operation.SUSPEND, job)
    assert outcome == JobOutcome(job, {"status": "suspended", "at": iso(instance.suspended_at)})
    assert instance.pending is None
    assert instance.version == version + 1  # recorded (OperationSkipped), nothing to act on


def test_unsuspend_of_a_never_suspended_instance_answers_since_activation() -> None:
    instance = active_instance()
    [outcome] = instance.request(Operation.UNSUSPEND, uuid4())
    assert outcome.result == {"status": "active", "at": iso(instance.activated_at)}


def test_terminate_of_a_terminated_instance_answers_its_termination() -> None:
    instance = active_instance()
    instance.request(Operation.TERMINATE, uuid4())
    [terminated] = instance.confirm(Operation.TERMINATE)
    [again] = instance.request(Operation.TERMINATE, uuid4())
    assert again.code is None
    assert (
        again.result
        == terminated.result
        == {
            "status": "terminated",
            "at": iso(instance.terminated_at),
        }
    )


@pytest.mark.parametrize(
    ("operation", "prepare", "message"),
    [
        (Operation.UNSUSPEND, terminated_instance, "Instance is terminated"),
        (Operation.SUSPEND, terminated_instance, "Instance is terminated"),
        (Operation.REBOOT, terminated_instance, "Instance is terminated"),
        (Operation.SUSPEND, errored_instance, "Instance is in error"),
        (Operation.UNSUSPEND, errored_instance, "Instance is in error"),
        (Operation.REBOOT, suspended_instance, "Instance is suspended"),
    ],
)
def test_what_the_state_can_never_allow_is_refused_naming_the_state(
    operation: Operation, prepare: Callable[[], Instance], message: str
) -> None:
    instance = prepare()
    status = instance.status
    job = uuid4()
    assert instance.request(operation, job) == [
        JobOutcome(job, {"status": status.value}, "INVALID_STATE", message)
    ]
    assert instance.status is status and instance.pending is None


def test_operations_queue_behind_the_one_in_progress_and_run_in_order() -> None:
    instance = active_instance()
    suspend, unsuspend, terminate = uuid4(), uuid4(), uuid4()
    instance.request(Operation.SUSPEND, suspend)
    assert instance.request(Operation.UNSUSPEND, unsuspend) == []
    assert instance.request(Operation.TERMINATE, terminate) == []
    assert [q.job_id for q in instance.queue] == [unsuspend, terminate]

    [suspended] = instance.confirm(Operation.SUSPEND)
    assert suspended.result["status"] == "suspended"
    assert instance.pending is not None and instance.pending.job_id == unsuspend
    [unsuspended] = instance.confirm(Operation.UNSUSPEND)
    assert unsuspended.result["status"] == "active"
    assert instance.pending is not None and instance.pending.job_id == terminate
    [terminated] = instance.confirm(Operation.TERMINATE)
    assert terminated == JobOutcome(
        terminate, {"status": "terminated", "at": iso(instance.terminated_at)}
    )
    assert instance.status is InstanceStatus.TERMINATED and instance.queue == ()


def test_a_queued_command_meets_the_state_the_earlier_ones_left() -> None:
    instance = active_instance()
    first, second, third, fourth = uuid4(), uuid4(), uuid4(), uuid4()
    instance.request(Operation.SUSPEND, first)
    instance.request(Operation.SUSPEND, second)  # e.g. WHMCS's hook, then its module command
    instance.request(Operation.TERMINATE, third)
    instance.request(Operation.UNSUSPEND, fourth)

    done = instance.confirm(Operation.SUSPEND)
    at = iso(instance.suspended_at)
    assert done == [
        JobOutcome(first, {"status": "suspended", "at": at}),
        JobOutcome(second, {"status": "suspended", "at": at}),  # nothing more to do
    ]
    assert instance.pending is not None and instance.pending.job_id == third
    done = instance.confirm(Operation.TERMINATE)
    assert done[1] == JobOutcome(
        fourth, {"status": "terminated"}, "INVALID_STATE", "Instance is terminated"
    )


def test_an_abandoned_operation_lets_the_next_one_run() -> None:
    instance = active_instance()
    suspend, reboot = uuid4(), uuid4()
    instance.request(Operation.SUSPEND, suspend)
    instance.request(Operation.REBOOT, reboot)
    [failed] = instance.abandon("POWER_OFF_FAILED", "the provider refused")
    assert failed == JobOutcome(
        suspend, {"status": "active"}, "POWER_OFF_FAILED", "the provider refused"
    )
    assert instance.pending is not None and instance.pending.job_id == reboot


def test_operations_wait_for_provisioning_and_start_once_active() -> None:
    instance = new_instance()
    suspend = uuid4()
    assert instance.request(Operation.SUSPEND, suspend) == []
    assert instance.pending is None and instance.is_provisioning  # the build carries on
    instance.record_server(SERVER)
    instance.assign_dns("rec-1", "abc.hostplane.test")
    assert instance.report_ready("2026.11.0", 18789) == []
    assert instance.status is InstanceStatus.ACTIVE
    assert instance.pending is not None and instance.pending.job_id == suspend


def test_operations_queued_behind_a_failed_build_meet_the_error() -> None:
    instance = new_instance()
    suspend, terminate = uuid4(), uuid4()
    instance.request(Operation.SUSPEND, suspend)
    instance.fail("DNS_FAILED", "zone refused")
    instance.request(Operation.TERMINATE, terminate)  # the build failed: no cutting short
    assert [q.job_id for q in instance.queue] == [suspend, terminate]
    [refused] = instance.mark_errored()
    assert refused == JobOutcome(
        suspend, {"status": "error"}, "INVALID_STATE", "Instance is in error"
    )
    assert instance.pending is not None and instance.pending.job_id == terminate


def test_terminating_during_provisioning_stops_the_build_at_once() -> None:
    instance = new_instance()
    suspend, terminate, again = uuid4(), uuid4(), uuid4()
    instance.request(Operation.SUSPEND, suspend)
    assert instance.request(Operation.TERMINATE, terminate) == []
    assert instance.pending is not None and instance.pending.job_id == terminate
    assert not instance.is_provisioning
    instance.record_server(SERVER)
    assert instance.server is None
    instance.request(Operation.TERMINATE, again)
    done = instance.confirm(Operation.TERMINATE)
    at = iso(instance.terminated_at)
    assert done == [
        JobOutcome(terminate, {"status": "terminated", "at": at}),
        JobOutcome(suspend, {"status": "terminated"}, "INVALID_STATE", "Instance is terminated"),
        JobOutcome(again, {"status": "terminated", "at": at}),
    ]


def test_the_aggregate_rebuilds_from_its_events_queue_and_moments_included() -> None:
    instance = active_instance()
    instance.request(Operation.SUSPEND, uuid4())
    instance.confirm(Operation.SUSPEND)
    instance.request(Operation.UNSUSPEND, uuid4())
    instance.request(Operation.TERMINATE, uuid4())
    copy = None
    for event in instance.collect_events():
        copy = event.mutate(copy)
    assert copy is not None
    assert copy.status is InstanceStatus.SUSPENDED
    assert copy.server == SERVER
    assert copy.suspended_at == instance.suspended_at is not None
    assert copy.activated_at == instance.activated_at is not None
    assert copy.pending == instance.pending
    assert copy.queue == instance.queue and len(copy.queue) == 1


def test_resize_moves_to_a_bigger_plan_and_keeps_the_status() -> None:
    instance = active_instance()
    job = uuid4()
    assert instance.request(Operation.RESIZE, job, to(Plan.PROFESSIONAL)) == []
    assert instance.pending is not None
    assert instance.pending.server_type == "cx32"
    [resized] = instance.confirm(Operation.RESIZE)
    assert resized.job_id == job
    assert resized.result == {
        "status": "active",
        "at": iso(instance.resized_at),
        "plan": "professional",
    }
    assert (instance.plan, instance.server_type) == ("professional", "cx32")
    assert instance.status is InstanceStatus.ACTIVE


def test_a_resize_that_would_shrink_the_disk_is_refused_by_the_domain() -> None:
    instance = active_instance()
    instance.request(Operation.RESIZE, uuid4(), to(Plan.ENTERPRISE))
    instance.confirm(Operation.RESIZE)
    [refused] = instance.request(Operation.RESIZE, uuid4(), to(Plan.STARTER))
    assert refused.code == "DOWNGRADE_NOT_POSSIBLE"
    assert "cannot shrink" in refused.message
    assert instance.plan == "enterprise" and instance.pending is None


def test_a_resize_to_the_plan_it_is_on_succeeds_without_acting() -> None:
    instance = active_instance()
    [outcome] = instance.request(Operation.RESIZE, uuid4(), to(Plan.STARTER))
    assert outcome.code is None
    assert outcome.result == {
        "status": "active",
        "at": iso(instance.activated_at),
        "plan": "starter",
    }
    assert instance.pending is None


def test_a_queued_resize_is_judged_on_the_plan_the_earlier_one_left() -> None:
    instance = active_instance()
    first, second = uuid4(), uuid4()
    instance.request(Operation.RESIZE, first, to(Plan.ENTERPRISE))
    instance.request(Operation.RESIZE, second, to(Plan.PROFESSIONAL))  # accepted when sent: starter
    [_, refused] = instance.confirm(Operation.RESIZE)
    assert refused.job_id == second and refused.code == "DOWNGRADE_NOT_POSSIBLE"


def test_a_suspended_instance_can_be_resized_but_not_rebooted() -> None:
    instance = suspended_instance()
    instance.request(Operation.RESIZE, uuid4(), to(Plan.PROFESSIONAL))
    [resized] = instance.confirm(Operation.RESIZE)
    assert resized.result["status"] == "suspended"
    [refused] = instance.request(Operation.REBOOT, uuid4())
    assert refused.message == "Instance is suspended"


def test_only_a_resize_names_a_plan() -> None:
    with pytest.raises(ValueError, match="resize"):
        active_instance().request(Operation.RESIZE, uuid4())
    with pytest.raises(ValueError, match="resize"):
        active_instance().request(Operation.SUSPEND, uuid4(), "starter")


def test_configure_is_refused_naming_the_state() -> None:
    with pytest.raises(TransitionRefused) as refused:
        terminated_instance().configure("m", {}, {})
    assert str(refused.value) == "Instance is terminated"
    assert refused.value.result == {"status": "terminated"}


def test_configure_restarts_only_for_channels_and_credentials() -> None:
    instance = active_instance()
    key = {"sealed": "s1", "fingerprint": "f1"}
    assert instance.configure("m1", {"telegram": True}, {"api_key:openai": key}) is True
    assert instance.configure(None, {"telegram": True}, {"api_key:openai": key}) is False
    version = instance.version
    assert instance.configure("m1", {}, {}) is False
    assert instance.version == version  # nothing changed, nothing recorded
    assert instance.configure("m2", {}, {}) is False
    assert instance.model == "m2"
    rotated = {"sealed": "s2", "fingerprint": "f2"}
    assert instance.configure(None, {}, {"api_key:openai": rotated}) is True
    assert instance.secrets["api_key:openai"] == rotated


def test_instances_stored_before_there_was_a_choice_of_provider_still_load() -> None:
    """Events stored by earlier versions (Hetzner alone: `hetzner_id`, `action_id`, no
    provider or disk) are read as Hetzner instances."""
    app = Application[UUID](env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    instance = new_instance()
    instance.record_server(SERVER, boot="77")
    stored = [as_first_written(app.mapper.to_stored_event(e)) for e in instance.collect_events()]
    older = Application[UUID](env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    older.recorder.insert_events(stored)
    loaded: Instance = older.repository.get(instance.id)
    assert loaded.provider == "hetzner" and loaded.disk_gb is None
    assert loaded.server == SERVER


def as_first_written(stored: StoredEvent) -> StoredEvent:
    state = json.loads(stored.state)
    state.pop("provider", None)
    state.pop("disk_gb", None)
    if state.pop("class_version", None) == 2:  # ServerCreated, as version 1 wrote it
        state["hetzner_id"] = state.pop("server_id")
        state["action_id"] = int(state.pop("boot"))
    return replace(stored, state=json.dumps(state).encode())
