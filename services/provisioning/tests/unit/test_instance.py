"""The Instance lifecycle, decided without I/O."""

from uuid import uuid4

import pytest

from hostplane.contracts.openclaw import InstanceStatus
from hostplane.provisioning.domain.instance import (
    Instance,
    Operation,
    ServerFacts,
    TransitionRefused,
)

SERVER = ServerFacts(
    hetzner_id=42, server_type="cx22", datacenter="fsn1-dc14", ip_address="1.2.3.4"
)


def new_instance() -> Instance:
    return Instance(
        whmcs_service_id=1001,
        whmcs_client_id=7,
        plan="starter",
        region="eu-frankfurt",
        email="a@example.com",
        subdomain="abc",
        server_type="cx22",
        location="fsn1",
        ai_preset=None,
        ssh_key_ids=[],
        ready_token_sha256="0" * 64,
        job_id=uuid4(),
    )


def active_instance() -> Instance:
    instance = new_instance()
    instance.record_server(SERVER)
    instance.assign_dns("rec-1", "abc.hostplane.test")
    instance.report_ready("2026.11.0", 18789)
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
    instance.request(Operation.SUSPEND, suspend_job)
    assert instance.status is InstanceStatus.ACTIVE
    assert instance.confirm(Operation.SUSPEND) == suspend_job
    assert instance.status is InstanceStatus.SUSPENDED
    instance.request(Operation.UNSUSPEND, unsuspend_job)
    assert instance.confirm(Operation.UNSUSPEND) == unsuspend_job
    assert instance.status is InstanceStatus.ACTIVE


@pytest.mark.parametrize(
    ("operation", "prepare"),
    [
        (Operation.SUSPEND, new_instance),
        (Operation.UNSUSPEND, active_instance),
    ],
)
def test_transitions_the_state_does_not_allow_are_refused(operation, prepare) -> None:
    instance = prepare()
    with pytest.raises(TransitionRefused):
        instance.request(operation, uuid4())


def test_only_one_operation_at_a_time_but_terminate_supersedes() -> None:
    instance = active_instance()
    suspend_job = uuid4()
    instance.request(Operation.SUSPEND, suspend_job)
    with pytest.raises(TransitionRefused):
        instance.request(Operation.SUSPEND, uuid4())
    assert instance.request(Operation.TERMINATE, uuid4()) == suspend_job
    assert instance.confirm(Operation.SUSPEND) is None
    instance.confirm(Operation.TERMINATE)
    assert instance.status is InstanceStatus.TERMINATED
    with pytest.raises(TransitionRefused):
        instance.request(Operation.TERMINATE, uuid4())


def test_terminating_during_provisioning_stops_the_saga() -> None:
    instance = new_instance()
    instance.request(Operation.TERMINATE, uuid4())
    assert not instance.is_provisioning
    instance.record_server(SERVER)
    assert instance.server is None


def test_the_aggregate_rebuilds_from_its_events() -> None:
    instance = active_instance()
    instance.request(Operation.SUSPEND, uuid4())
    instance.confirm(Operation.SUSPEND)
    copy = None
    for event in instance.collect_events():
        copy = event.mutate(copy)
    assert copy is not None
    assert copy.status is InstanceStatus.SUSPENDED
    assert copy.server == SERVER


def test_resize_moves_to_a_bigger_plan_and_keeps_the_status() -> None:
    instance = active_instance()
    job = uuid4()
    instance.request_resize(job, "professional")
    assert instance.pending is not None
    assert instance.pending.server_type == "cx32"
    assert instance.confirm(Operation.RESIZE) == job
    assert (instance.plan, instance.server_type) == ("professional", "cx32")
    assert instance.status is InstanceStatus.ACTIVE


def test_a_resize_that_would_shrink_the_disk_is_refused() -> None:
    instance = active_instance()
    instance.request_resize(uuid4(), "enterprise")
    instance.confirm(Operation.RESIZE)
    with pytest.raises(TransitionRefused) as refused:
        instance.request_resize(uuid4(), "starter")
    assert refused.value.code == "DOWNGRADE_NOT_POSSIBLE"
    with pytest.raises(TransitionRefused):
        instance.request_resize(uuid4(), "enterprise")  # already there


def test_reboot_needs_an_active_instance() -> None:
    instance = active_instance()
    instance.request(Operation.REBOOT, uuid4())
    instance.confirm(Operation.REBOOT)
    assert instance.status is InstanceStatus.ACTIVE
    instance.request(Operation.SUSPEND, uuid4())
    instance.confirm(Operation.SUSPEND)
    with pytest.raises(TransitionRefused):
        instance.request(Operation.REBOOT, uuid4())


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
