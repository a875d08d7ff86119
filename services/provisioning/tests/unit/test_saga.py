"""Provisioning use cases and saga steps on in-memory persistence with a fake provider."""

from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest

from hostplane.contracts import commands
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.identity import instance_id_for
from hostplane.contracts.openclaw import InstanceStatus
from hostplane.messaging.eventstore import Position
from hostplane.provisioning.adapters.hetzner import (
    ActionState,
    CreatedServer,
    ProviderError,
    ServerSpec,
)
from hostplane.provisioning.application import Provisioning
from hostplane.provisioning.domain.instance import Instance, Operation, ServerFacts
from hostplane.provisioning.domain.job import Job


@dataclass
class FakeHetzner:
    servers: dict[UUID, ServerFacts] = field(default_factory=dict)
    powered_off: set[UUID] = field(default_factory=set)
    specs: list[ServerSpec] = field(default_factory=list)
    fail_create: ProviderError | None = None

    def create_server(self, spec: ServerSpec) -> CreatedServer:
        self.specs.append(spec)
        if self.fail_create:
            raise self.fail_create
        facts = self.servers.setdefault(
            spec.instance_id,
            ServerFacts(
                len(self.servers) + 1,
                spec.server_type,
                "fsn1-dc14",
                f"100.64.0.{len(self.servers) + 1}",
            ),
        )
        return CreatedServer(facts, action_id=facts.hetzner_id)

    def ensure_deleted(self, instance_id: UUID) -> bool:
        return self.servers.pop(instance_id, None) is not None

    def power_off(self, instance_id: UUID) -> None:
        self.powered_off.add(instance_id)

    def power_on(self, instance_id: UUID) -> None:
        self.powered_off.discard(instance_id)


class Offsets:
    """Hands out increasing positions on one topic partition, as a consumer would see them."""

    def __init__(self) -> None:
        self.next = 0

    def __call__(self, topic: str = "t") -> Position:
        self.next += 1
        return Position(topic, 0, self.next)


@pytest.fixture
def provider() -> FakeHetzner:
    return FakeHetzner()


@pytest.fixture
def app(provider: FakeHetzner) -> Provisioning:
    return Provisioning(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        provider=provider,  # type: ignore[arg-type]
        ready_url="http://gw/api/instances/{instance_id}/ready",
        instance_token_secret="s3cret",
    )


def create(app: Provisioning, at: Position, service_id: int = 5000, subdomain: str = "shop"):
    instance_id = instance_id_for(service_id)
    job_id = uuid4()
    app.handle_command(
        commands.CreateInstance(
            instance_id=instance_id,
            whmcs_service_id=service_id,
            whmcs_client_id=1,
            plan=Plan.STARTER,
            region=Region.EU_FRANKFURT,
            email="owner@example.com",
            subdomain=subdomain,
        ),
        job_id,
        at,
    )
    return instance_id, job_id


def test_create_builds_the_server_with_the_callback_in_user_data(app, provider) -> None:
    at = Offsets()
    instance_id, _ = create(app, at())
    app.provision_server(instance_id, at())
    spec = provider.specs[0]
    assert spec.server_type == "cx22" and spec.location == "fsn1"
    assert f"HOSTPLANE_READY_URL=http://gw/api/instances/{instance_id}/ready" in spec.user_data
    token = app.ready_token(instance_id).decode()
    assert f"HOSTPLANE_READY_TOKEN={token}" in spec.user_data
    instance: Instance = app.repository.get(instance_id)
    assert instance.server == provider.servers[instance_id]


def test_a_server_that_fails_to_boot_rolls_the_instance_back(app, provider) -> None:
    at = Offsets()
    failing, _ = create(app, at(), service_id=501, subdomain="one")
    booted, _ = create(app, at(), service_id=502, subdomain="two")
    app.provision_server(failing, at())
    app.provision_server(booted, at())
    app.settle_boots(
        {failing: ActionState(1, "error", "disk image broken"), booted: ActionState(2, "success")},
        at(),
    )
    assert app.repository.get(failing).error_code == "SERVER_CREATE_FAILED"
    assert app.repository.get(booted).error_code is None
    app.compensate(failing, at())
    assert app.repository.get(failing).status is InstanceStatus.ERROR
    assert failing not in provider.servers


def test_the_whole_saga_activates_and_closes_the_create_job(app) -> None:
    import hashlib

    at = Offsets()
    instance_id, job_id = create(app, at())
    app.provision_server(instance_id, at())
    app.record_dns(instance_id, "rec-9", "shop.hostplane.test", at())
    token = app.ready_token(instance_id)
    app.handle_command(
        commands.ReportInstanceReady(
            instance_id=instance_id,
            token_sha256=hashlib.sha256(token).hexdigest(),
            openclaw_version="2026.11.0",
            gateway_port=18789,
        ),
        uuid4(),
        at(),
    )
    assert app.repository.get(instance_id).status is InstanceStatus.ACTIVE
    assert app.repository.get(job_id).finished


def test_a_wrong_ready_token_is_refused_on_the_job(app) -> None:
    at = Offsets()
    instance_id, _ = create(app, at())
    job_id = uuid4()
    app.handle_command(
        commands.ReportInstanceReady(
            instance_id=instance_id, token_sha256="0" * 64, openclaw_version="x", gateway_port=1
        ),
        job_id,
        at(),
    )
    assert app.repository.get(instance_id).openclaw_version is None
    job: Job = app.repository.get(job_id)
    assert job.finished
    assert app.repository.get(instance_id).status is InstanceStatus.PROVISIONING


def test_a_redelivered_command_changes_nothing(app) -> None:
    at = Offsets()
    position = at()
    instance_id, _ = create(app, position)
    assert app.has_processed(position)
    version = app.repository.get(instance_id).version
    # The consumer skips positions it has processed; a retried create (new command) is a no-op.
    create(app, at())
    assert app.repository.get(instance_id).version == version


def test_a_permanent_provider_failure_is_compensated_into_error(app, provider) -> None:
    at = Offsets()
    instance_id, job_id = create(app, at())
    provider.fail_create = ProviderError("SERVER_CREATE_FAILED", "no capacity")
    app.provision_server(instance_id, at())
    instance: Instance = app.repository.get(instance_id)
    assert instance.error_code == "SERVER_CREATE_FAILED"
    app.compensate(instance_id, at())
    assert app.repository.get(instance_id).status is InstanceStatus.ERROR
    assert instance_id not in provider.servers
    assert app.repository.get(job_id).finished


def test_suspend_powers_off_and_terminate_deletes(app, provider) -> None:
    at = Offsets()
    instance_id, _ = create(app, at())
    app.provision_server(instance_id, at())
    instance: Instance = app.repository.get(instance_id)
    instance._activated()  # the saga's activation is covered above
    app.save(instance)
    suspend_job, terminate_job = uuid4(), uuid4()
    app.handle_command(commands.SuspendInstance(instance_id=instance_id), suspend_job, at())
    app.carry_out(instance_id, Operation.SUSPEND, at())
    assert instance_id in provider.powered_off
    assert app.repository.get(instance_id).status is InstanceStatus.SUSPENDED
    app.handle_command(commands.TerminateInstance(instance_id=instance_id), terminate_job, at())
    app.carry_out(instance_id, Operation.TERMINATE, at())
    assert instance_id not in provider.servers
    assert app.repository.get(instance_id).status is InstanceStatus.TERMINATED
    assert app.repository.get(terminate_job).finished


def test_a_taken_hostname_puts_the_second_instance_in_error(app, provider) -> None:
    at = Offsets()
    create(app, at(), service_id=1, subdomain="same")
    second, _ = create(app, at(), service_id=2, subdomain="same")
    assert app.repository.get(second).error_code == "HOSTNAME_TAKEN"
    app.provision_server(second, at())
    assert second not in provider.servers
