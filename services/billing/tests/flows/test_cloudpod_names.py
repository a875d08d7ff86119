"""Scenarios: a customer names their VPS anew — published with the CloudPod's state, once
however often the command arrives; another tenant's is not found, a deleted one keeps its
name."""

from uuid import uuid4

from hostplane.contracts import billing_events as be
from hostplane.contracts.commands import billing as c
from hostplane.contracts.identity import tenant_id_for
from hostplane.messaging.cloudevents import OutgoingEvent
from services.billing.tests.flows.conftest import World
from services.billing.tests.flows.test_account_holds import TENANT, _shop


def _renamed(world: World) -> list[be.CloudPodRenamed]:
    return [
        o.payload
        for o in world.publish()
        if isinstance(o, OutgoingEvent) and isinstance(o.payload, be.CloudPodRenamed)
    ]


def test_a_renamed_cloudpod_is_published_with_its_state_once(world: World) -> None:
    (pod,) = _shop(world, quantity=1).pods
    command = c.RenameCloudPod(tenant_id=TENANT, instance_id=pod, name="  db-primary ")
    for job_id in (uuid4(), uuid4()):  # asked twice: renamed once
        assert world.send(command, job_id).status == "succeeded"

    (renamed,) = _renamed(world)
    assert (renamed.instance_id, renamed.name, renamed.plan) == (pod, "db-primary", "starter")
    assert world.app.repository.get(pod).name == "db-primary"


def test_another_tenants_or_a_deleted_cloudpod_is_not_renamed(world: World) -> None:
    (pod,) = _shop(world, quantity=1).pods
    other = world.send(
        c.RenameCloudPod(tenant_id=tenant_id_for("Another"), instance_id=pod, name="x")
    )
    assert (other.status, other.error_code) == ("failed", "NOT_FOUND")
    stored = world.app.repository.get(pod)
    stored.terminate("cancelled")
    world.app.save(stored)
    gone = world.send(c.RenameCloudPod(tenant_id=TENANT, instance_id=pod, name="x"))
    assert (gone.status, gone.error_code) == ("failed", "CONFLICT")
    assert not _renamed(world)
