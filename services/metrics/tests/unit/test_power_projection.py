"""Projection rules of a VPS's power and rebuilds, and of its CloudPod's new name."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hostplane.contracts import billing_events as b
from hostplane.contracts import events as e
from hostplane.metrics.domain.billing_changes import CloudPodSaved
from hostplane.metrics.domain.projection import changes
from services.metrics.tests.unit.test_projection import instance_fields

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_a_stopped_server_shows_since_when_and_a_started_one_its_boot() -> None:
    vps, job = uuid4(), uuid4()
    stopping = e.StopRequested(occurred_at=NOW, instance_id=vps, job_id=job)
    assert instance_fields(stopping)["pending_operation"] == "stop"
    stopped = instance_fields(e.InstanceStopped(occurred_at=NOW, instance_id=vps))
    assert stopped == {"pending_operation": None, "stopped_at": NOW, "running_since": None}
    later = NOW + timedelta(minutes=5)
    started = instance_fields(e.InstanceStarted(occurred_at=later, instance_id=vps))
    assert started == {"pending_operation": None, "stopped_at": None, "running_since": later}


def test_a_rebuild_shows_while_it_runs_then_the_new_image() -> None:
    vps, job = uuid4(), uuid4()
    asked = e.RebuildRequested(occurred_at=NOW, instance_id=vps, job_id=job, image="debian-12")
    assert instance_fields(asked)["pending_operation"] == "rebuild"
    rebuilt = instance_fields(
        e.InstanceRebuilt(occurred_at=NOW, instance_id=vps, image="debian-12")
    )
    assert (rebuilt["image"], rebuilt["pending_operation"], rebuilt["stopped_at"]) == (
        "debian-12",
        None,
        None,
    )


def test_unsuspending_a_stopped_server_shows_it_running() -> None:
    fields = instance_fields(e.InstanceUnsuspended(occurred_at=NOW, instance_id=uuid4()))
    assert (fields["status"], fields["stopped_at"], fields["running_since"]) == (
        "active",
        None,
        NOW,
    )


def test_a_renamed_cloudpod_saves_its_state_under_its_new_name() -> None:
    renamed = b.CloudPodRenamed(
        occurred_at=NOW,
        tenant_id=uuid4(),
        instance_id=uuid4(),
        subscription_id=uuid4(),
        customer_id=uuid4(),
        order_id=None,
        product_id=uuid4(),
        name="db-primary",
        template="CPOD-MINI",
        plan="starter",
        region="eu-frankfurt",
    )
    saved = [c for c in changes(renamed, 7) if isinstance(c, CloudPodSaved)]
    assert [(s.cloudpod.name, s.version) for s in saved] == [("db-primary", 7)]
