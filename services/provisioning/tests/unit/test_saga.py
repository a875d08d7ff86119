"""Provisioning use cases and saga steps on in-memory persistence with a fake provider."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from hostplane.contracts.catalog import SERVER_IMAGE, Plan, PlanSpec, Provider, Region
from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.identity import instance_id_for
from hostplane.contracts.telemetry import ServerUsage
from hostplane.contracts.vps import InstanceStatus, iso
from hostplane.messaging.eventstore import Position
from hostplane.messaging.jobs import Job
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.provider import (
    BootState,
    ConsoleAccess,
    CreatedServer,
    ServerSpec,
)
from hostplane.provisioning.application import Provisioning, handle_command
from hostplane.provisioning.bootstrap import bootstrap
from hostplane.provisioning.domain.instance import Instance, ServerFacts
from hostplane.provisioning.domain.operations import Operation
from hostplane.provisioning.settings import Settings


@dataclass
class FakeProvider:
    """A provider in memory: servers by instance, and the calls made to them."""

    servers: dict[UUID, ServerFacts] = field(default_factory=dict)
    powered_off: set[UUID] = field(default_factory=set)
    specs: list[ServerSpec] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    fail_create: ProviderError | None = None
    fail_power_off: ProviderError | None = None

    @property
    def name(self) -> Provider:
        return "hetzner"

    @property
    def poll_interval_s(self) -> float:
        return 0.01

    def ensure_server(self, spec: ServerSpec) -> CreatedServer:
        self.specs.append(spec)
        if self.fail_create:
            raise self.fail_create
        facts = self.servers.setdefault(
            spec.instance_id,
            ServerFacts(
                "hetzner",
                len(self.servers) + 1,
                spec.plan.server_type,
                "fsn1-dc14",
                f"100.64.0.{len(self.servers) + 1}",
            ),
        )
        return CreatedServer(facts, boot=str(facts.server_id))

    def boot_states(self, boots: Sequence[str]) -> list[BootState]:
        return [BootState(boot, "success") for boot in boots]

    def wait_started(self, instance_id: UUID) -> None:
        self.calls.append("wait_started")

    def ensure_deleted(self, instance_id: UUID) -> bool:
        return self.servers.pop(instance_id, None) is not None

    def power_off(self, instance_id: UUID) -> None:
        self.calls.append("power_off")
        if self.fail_power_off:
            raise self.fail_power_off
        self.powered_off.add(instance_id)

    def power_on(self, instance_id: UUID) -> None:
        self.calls.append("power_on")
        self.powered_off.discard(instance_id)

    def reboot(self, instance_id: UUID) -> None:
        self.calls.append("reboot")

    def resize(self, instance_id: UUID, plan: PlanSpec, start_after: bool) -> None:
        self.calls.append(f"change_type {plan.server_type}")
        self.servers[instance_id] = replace(self.servers[instance_id], server_type=plan.server_type)

    def usage(self) -> list[ServerUsage]:
        return []

    def console(self, instance_id: UUID) -> ConsoleAccess:
        return ConsoleAccess("wss://console.test", "secret", datetime.now(UTC))


class Offsets:
    """Hands out increasing positions on one topic partition, as a consumer would see them."""

    def __init__(self) -> None:
        self.next = 0

    def __call__(self, topic: str = "t") -> Position:
        self.next += 1
        return Position(topic, 0, self.next)


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def app(provider: FakeProvider) -> Provisioning:
    settings = Settings(
        event_store="memory",
        hetzner_api_token="t",
        public_api_url="http://gw",
        instance_token_secret="s3cret",
    )
    return bootstrap(settings, providers={"hetzner": provider})


def create(app: Provisioning, at: Position, service_id: int = 5000, subdomain: str = "shop"):
    instance_id = instance_id_for(service_id)
    job_id = uuid4()
    handle_command(
        app,
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
    assert spec.plan.server_type == "cx22" and spec.region.location == "fsn1"
    assert f"HOSTPLANE_READY_URL=http://gw/api/instances/{instance_id}/ready" in spec.user_data
    token = app.ready_token(instance_id).decode()
    assert f"HOSTPLANE_READY_TOKEN={token}" in spec.user_data
    instance: Instance = app.repository.get(instance_id)
    assert instance.server == provider.servers[instance_id]


def test_an_instance_is_built_from_the_image_asked_for_with_its_keys_let_in(app, provider) -> None:
    at = Offsets()
    instance_id = instance_id_for(5100)
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 ops@example.com"
    handle_command(
        app,
        commands.CreateInstance(
            instance_id=instance_id,
            whmcs_service_id=0,
            whmcs_client_id=0,
            plan=Plan.STARTER,
            region=Region.EU_FRANKFURT,
            email="owner@example.com",
            subdomain="debian-box",
            image="debian-12",
            ssh_public_keys=[key],
        ),
        uuid4(),
        at(),
    )
    app.provision_server(instance_id, at())

    instance: Instance = app.repository.get(instance_id)
    assert (instance.image, instance.ssh_public_keys) == ("debian-12", [key])
    [spec] = provider.specs
    assert spec.image == "debian-12"
    assert f'ssh_authorized_keys: ["{key}"]' in spec.user_data
    assert "HOSTPLANE_READY_TOKEN=" in spec.user_data


def test_an_instance_without_an_image_is_built_from_the_default_one(app, provider) -> None:
    at = Offsets()
    instance_id, _ = create(app, at())
    app.provision_server(instance_id, at())

    assert provider.specs[0].image == SERVER_IMAGE
    assert "ssh_authorized_keys" not in provider.specs[0].user_data


def test_a_server_that_fails_to_boot_rolls_the_instance_back(app, provider) -> None:
    at = Offsets()
    failing, _ = create(app, at(), service_id=501, subdomain="one")
    booted, _ = create(app, at(), service_id=502, subdomain="two")
    app.provision_server(failing, at())
    app.provision_server(booted, at())
    app.settle_boots(
        {failing: BootState("1", "error", "disk image broken"), booted: BootState("2", "success")},
        at(),
    )
    assert app.repository.get(failing).error_code == "SERVER_CREATE_FAILED"
    assert app.repository.get(booted).error_code is None
    app.compensate(failing, at())
    assert app.repository.get(failing).status is InstanceStatus.ERROR
    assert failing not in provider.servers


def test_the_whole_saga_activates_and_closes_the_create_job(app) -> None:
    at = Offsets()
    instance_id, job_id = create(app, at())
    app.provision_server(instance_id, at())
    app.record_dns(instance_id, "rec-9", "shop.hostplane.test", "cloudflare", at())
    ready(app, instance_id, at())
    assert app.repository.get(instance_id).status is InstanceStatus.ACTIVE
    assert app.repository.get(job_id).finished


def test_a_wrong_ready_token_is_refused_on_the_job(app) -> None:
    at = Offsets()
    instance_id, _ = create(app, at())
    job_id = uuid4()
    handle_command(
        app,
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


def active(app: Provisioning, at: Offsets) -> UUID:
    """An instance taken through the whole saga (server, DNS, ready callback)."""
    instance_id, _ = create(app, at())
    app.provision_server(instance_id, at())
    app.record_dns(instance_id, "rec-1", "shop.hostplane.test", "cloudflare", at())
    ready(app, instance_id, at())
    assert app.repository.get(instance_id).status is InstanceStatus.ACTIVE
    return instance_id


def ready(app: Provisioning, instance_id: UUID, position: Position) -> None:
    token = app.ready_token(instance_id)
    handle_command(
        app,
        commands.ReportInstanceReady(
            instance_id=instance_id,
            token_sha256=hashlib.sha256(token).hexdigest(),
            openclaw_version="2026.11.0",
            gateway_port=18789,
        ),
        uuid4(),
        position,
    )


def send(app: Provisioning, at: Offsets, command: commands.ProvisioningCommand) -> UUID:
    job_id = uuid4()
    handle_command(app, command, job_id, at())
    return job_id


def run_saga(app: Provisioning, instance_id: UUID, at: Offsets) -> None:
    """Carry out operations as the saga would on their request events, until none is left."""
    while (pending := app.repository.get(instance_id).pending) is not None:
        app.carry_out(instance_id, pending.operation, pending.job_id, at())


def job(app: Provisioning, job_id: UUID) -> Job:
    found: Job = app.repository.get(job_id)
    return found


def outcome(app: Provisioning, job_id: UUID) -> tuple[str, dict[str, str]]:
    """How a job ended: ("succeeded" | "failed CODE: message" | "running", its result)."""
    found = job(app, job_id)
    if not found.finished:
        return "running", {}
    if found.error_code is None:
        return "succeeded", found.result
    return f"failed {found.error_code}: {found.error_message}", found.result


def test_suspend_powers_off_and_terminate_deletes(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    suspend_job = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    app.carry_out(instance_id, Operation.SUSPEND, suspend_job, at())
    assert instance_id in provider.powered_off
    assert app.repository.get(instance_id).status is InstanceStatus.SUSPENDED
    terminate_job = send(app, at, commands.TerminateInstance(instance_id=instance_id))
    app.carry_out(instance_id, Operation.TERMINATE, terminate_job, at())
    assert instance_id not in provider.servers
    assert app.repository.get(instance_id).status is InstanceStatus.TERMINATED
    assert job(app, terminate_job).finished


def test_back_to_back_commands_each_end_with_the_state_they_left(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    suspend = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    unsuspend = send(app, at, commands.UnsuspendInstance(instance_id=instance_id))
    terminate = send(app, at, commands.TerminateInstance(instance_id=instance_id))
    assert not job(app, unsuspend).finished and not job(app, terminate).finished
    run_saga(app, instance_id, at)
    instance: Instance = app.repository.get(instance_id)
    assert instance.status is InstanceStatus.TERMINATED
    assert provider.calls == ["power_off", "power_on"]
    assert instance_id not in provider.servers
    assert [outcome(app, j) for j in (suspend, unsuspend, terminate)] == [
        ("succeeded", {"status": "suspended", "at": iso(instance.suspended_at)}),
        ("succeeded", {"status": "active", "at": iso(instance.unsuspended_at)}),
        ("succeeded", {"status": "terminated", "at": iso(instance.terminated_at)}),
    ]


def test_a_hook_then_the_module_command_powers_off_once(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    hook = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    module = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    run_saga(app, instance_id, at)
    retried = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    assert provider.calls == ["power_off"]
    assert outcome(app, hook) == outcome(app, module) == outcome(app, retried)
    assert outcome(app, retried)[0] == "succeeded"


def test_a_command_after_termination_is_refused_on_its_job(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    send(app, at, commands.TerminateInstance(instance_id=instance_id))
    run_saga(app, instance_id, at)
    unsuspend = send(app, at, commands.UnsuspendInstance(instance_id=instance_id))
    assert outcome(app, unsuspend) == (
        "failed INVALID_STATE: Instance is terminated",
        {"status": "terminated"},
    )


def test_a_request_event_delivered_again_acts_only_for_its_own_job(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    first = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    app.carry_out(instance_id, Operation.SUSPEND, first, at())
    send(app, at, commands.UnsuspendInstance(instance_id=instance_id))
    run_saga(app, instance_id, at)
    second = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    app.carry_out(instance_id, Operation.SUSPEND, first, at())  # the old request, again
    assert provider.calls == ["power_off", "power_on"]
    assert not job(app, second).finished
    app.carry_out(instance_id, Operation.SUSPEND, second, at())
    assert provider.calls == ["power_off", "power_on", "power_off"]
    assert outcome(app, second)[0] == "succeeded"


def test_a_provider_failure_fails_the_job_and_the_queue_moves_on(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    provider.fail_power_off = ProviderError("POWER_OFF_FAILED", "no")
    suspend = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    reboot = send(app, at, commands.RebootInstance(instance_id=instance_id))
    run_saga(app, instance_id, at)
    assert outcome(app, suspend) == ("failed POWER_OFF_FAILED: no", {"status": "active"})
    assert outcome(app, reboot)[0] == "succeeded"
    assert provider.calls == ["power_off", "reboot"]


def test_commands_sent_during_provisioning_run_once_it_is_active(app, provider) -> None:
    at = Offsets()
    instance_id, create_job = create(app, at())
    suspend = send(app, at, commands.SuspendInstance(instance_id=instance_id))
    app.provision_server(instance_id, at())
    ready(app, instance_id, at())
    app.record_dns(instance_id, "rec-1", "shop.hostplane.test", "cloudflare", at())  # activates
    assert outcome(app, create_job)[0] == "succeeded"
    run_saga(app, instance_id, at)
    assert outcome(app, suspend)[0] == "succeeded"
    assert app.repository.get(instance_id).status is InstanceStatus.SUSPENDED


def test_resize_rules_show_on_the_job(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)

    def resize(plan: Plan) -> UUID:
        return send(app, at, commands.ResizeInstance(instance_id=instance_id, new_plan=plan))

    same = resize(Plan.STARTER)
    grow = resize(Plan.PROFESSIONAL)
    shrink = resize(Plan.STARTER)
    run_saga(app, instance_id, at)
    assert provider.calls == ["change_type cx32"]
    assert outcome(app, same)[0] == "succeeded"  # already on it: nothing to do
    assert outcome(app, grow)[1]["plan"] == "professional"
    assert outcome(app, shrink)[0].startswith("failed DOWNGRADE_NOT_POSSIBLE")
    assert "cannot shrink" in outcome(app, shrink)[0]


def test_a_taken_hostname_puts_the_second_instance_in_error(app, provider) -> None:
    at = Offsets()
    create(app, at(), service_id=1, subdomain="same")
    second, _ = create(app, at(), service_id=2, subdomain="same")
    assert app.repository.get(second).error_code == "HOSTNAME_TAKEN"
    app.provision_server(second, at())
    assert second not in provider.servers
