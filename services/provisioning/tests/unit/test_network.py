"""A VPS's network on in-memory persistence with fake providers: firewall rules applied and
recorded once, additional addresses within their limit, unique in a Proxmox pool, and let go
when the VPS is deleted."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.network import FirewallRule
from hostplane.messaging.jobs import Job
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.network import AttachedAddress, VpsServer
from hostplane.provisioning.adapters.publishing import translate
from hostplane.provisioning.application import Provisioning, handle_command
from hostplane.provisioning.application.network import Networking
from hostplane.provisioning.bootstrap import bootstrap
from hostplane.provisioning.domain.network import (
    AddressLimitReached,
    Network,
    pool_addresses,
)
from hostplane.provisioning.domain.operations import Operation
from hostplane.provisioning.settings import Settings
from services.provisioning.tests.unit.test_saga import FakeProvider, Offsets, create, ready

HTTP = FirewallRule(action="accept", protocol="tcp", ports="80", cidr="0.0.0.0/0")
SSH = FirewallRule(action="accept", protocol="tcp", ports="22", cidr="203.0.113.0/24")


@dataclass
class FakeNetwork:
    """A provider's firewalls and addresses in memory, and how often it was asked."""

    pooled: bool = False
    rules: dict[UUID, list[FirewallRule]] = field(default_factory=dict)
    addresses: dict[UUID, dict[UUID, str]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    fail: ProviderError | None = None

    def apply_firewall(self, server: VpsServer, rules: Sequence[FirewallRule]) -> None:
        self.calls.append("apply_firewall")
        if self.fail:
            raise self.fail
        self.rules[server.instance_id] = list(rules)

    def attach_address(
        self, server: VpsServer, address_id: UUID, address: str | None
    ) -> AttachedAddress:
        self.calls.append("attach_address")
        if self.fail:
            raise self.fail
        held = self.addresses.setdefault(server.instance_id, {})
        held.setdefault(address_id, address or f"198.18.0.{len(held) + 1}")
        return AttachedAddress(held[address_id], 4)

    def release_addresses(self, instance_id: UUID, addresses: Sequence[str]) -> None:
        self.calls.append("release_addresses")
        self.addresses.pop(instance_id, None)


@pytest.fixture
def network() -> FakeNetwork:
    return FakeNetwork()


def _app(network: FakeNetwork, pool: str = "", limit: int = 2) -> Provisioning:
    settings = Settings(
        event_store="memory",
        hetzner_api_token="t",
        public_api_url="http://gw",
        instance_token_secret="s3cret",
    )
    return bootstrap(
        settings,
        providers={"hetzner": FakeProvider()},
        networking=Networking({"hetzner": network}, pool, limit),
    )


def _active(app: Provisioning, at: Offsets, service_id: int = 7000) -> UUID:
    instance_id, _ = create(app, at(), service_id=service_id, subdomain=f"s{service_id}")
    app.provision_server(instance_id, at())
    app.record_dns(instance_id, f"rec-{service_id}", "x.hostplane.test", "cloudflare", at())
    ready(app, instance_id, at())
    return instance_id


def _run(app: Provisioning, at: Offsets, command: object, job_id: UUID | None = None) -> Job:
    job_id = job_id or uuid4()
    handle_command(app, command, job_id, at())  # type: ignore[arg-type]
    job: Job = app.repository.get(job_id)
    return job


def _network(app: Provisioning, instance_id: UUID) -> Network:
    network: Network = app.repository.get(Network.create_id(instance_id))
    return network


def _delete(app: Provisioning, at: Offsets, instance_id: UUID) -> None:
    job = _run(app, at, commands.TerminateInstance(instance_id=instance_id))
    app.carry_out(instance_id, Operation.TERMINATE, job.id, at())


def test_rules_are_applied_at_the_provider_then_recorded_once(network: FakeNetwork) -> None:
    app, at = _app(network), Offsets()
    instance_id = _active(app, at)
    update = commands.UpdateFirewall(instance_id=instance_id, rules=[HTTP, SSH])
    job = _run(app, at, update)
    assert job.status == "succeeded"
    assert network.rules[instance_id] == [HTTP, SSH]
    assert _network(app, instance_id).rules == (HTTP, SSH)

    _run(app, at, update, job.id)  # the same command delivered again
    assert network.calls == ["apply_firewall"]
    replaced = _run(app, at, commands.UpdateFirewall(instance_id=instance_id, rules=[SSH]))
    assert replaced.status == "succeeded" and network.rules[instance_id] == [SSH]
    assert _network(app, instance_id).rules == (SSH,)


def test_the_published_event_names_the_instance_and_its_rules(network: FakeNetwork) -> None:
    app, at = _app(network), Offsets()
    instance_id = _active(app, at)
    _run(app, at, commands.UpdateFirewall(instance_id=instance_id, rules=[HTTP]))
    notifications = app.recorder.select_notifications(start=1, limit=1000)
    published = [translate(app.mapper.to_domain_event(n)) for n in notifications]
    updated = [e.payload for e in published if e and e.payload.ce_type == "vps.firewall_updated"]
    assert [(e.instance_id, e.rules) for e in updated] == [(instance_id, [HTTP])]  # type: ignore[attr-defined]


def test_a_vps_still_provisioning_refuses_rules_and_nothing_is_applied(
    network: FakeNetwork,
) -> None:
    app, at = _app(network), Offsets()
    instance_id, _ = create(app, at(), service_id=7100, subdomain="early")
    job = _run(app, at, commands.UpdateFirewall(instance_id=instance_id, rules=[HTTP]))
    assert (job.status, job.error_code) == ("failed", "CONFLICT")
    assert network.calls == []


def test_a_provider_failure_fails_the_job_as_proxmox_error(network: FakeNetwork) -> None:
    app, at = _app(network), Offsets()
    instance_id = _active(app, at)
    network.fail = ProviderError("FIREWALL_FAILED", "invalid_input: port")
    job = _run(app, at, commands.UpdateFirewall(instance_id=instance_id, rules=[HTTP]))
    assert (job.status, job.error_code) == ("failed", "PROXMOX_ERROR")
    assert network.rules == {}


def test_addresses_are_attached_up_to_the_limit_and_released_with_the_vps(
    network: FakeNetwork,
) -> None:
    app, at = _app(network, limit=2), Offsets()
    instance_id = _active(app, at)
    first = _run(app, at, commands.AttachAddress(instance_id=instance_id))
    _run(app, at, commands.AttachAddress(instance_id=instance_id), first.id)  # redelivered
    second = _run(app, at, commands.AttachAddress(instance_id=instance_id))
    third = _run(app, at, commands.AttachAddress(instance_id=instance_id))
    assert [first.status, second.status] == ["succeeded", "succeeded"]
    assert (third.status, third.error_code) == ("failed", "CONFLICT")
    assert len(network.addresses[instance_id]) == 2
    assert {a.address for a in _network(app, instance_id).attached} == set(
        network.addresses[instance_id].values()
    )

    _delete(app, at, instance_id)
    assert instance_id not in network.addresses
    assert _network(app, instance_id).addresses == {}


def test_pool_addresses_go_to_one_vps_each_and_return_when_it_is_deleted() -> None:
    network = FakeNetwork(pooled=True)
    app, at = _app(network, pool="198.51.100.8/30"), Offsets()  # two hosts: .9 and .10
    one, two = _active(app, at, 7201), _active(app, at, 7202)
    assert _run(app, at, commands.AttachAddress(instance_id=one)).result["address"] == (
        "198.51.100.9"
    )
    assert _run(app, at, commands.AttachAddress(instance_id=two)).result["address"] == (
        "198.51.100.10"
    )
    exhausted = _run(app, at, commands.AttachAddress(instance_id=two))
    assert (exhausted.status, exhausted.error_code) == ("failed", "PROXMOX_ERROR")
    assert len(_network(app, two).addresses) == 1  # the failed reservation was given up

    _delete(app, at, one)
    again = _run(app, at, commands.AttachAddress(instance_id=two))
    assert again.result["address"] == "198.51.100.9"


def test_a_network_keeps_its_rules_and_refuses_past_its_limit() -> None:
    network = Network(instance_id=uuid4())
    assert network.update_firewall([HTTP]) is True
    assert network.update_firewall([HTTP]) is False
    address_id = uuid4()
    network.reserve(address_id, None, limit=1)
    assert network.reserve(address_id, None, limit=1).address_id == address_id
    with pytest.raises(AddressLimitReached):
        network.reserve(uuid4(), None, limit=1)
    network.attach(address_id, "198.18.0.1", 4)
    assert [a.address for a in network.attached] == ["198.18.0.1"]
    assert [a.address for a in network.release_all()] == ["198.18.0.1"]


def test_a_pool_is_networks_and_ranges() -> None:
    assert pool_addresses("198.51.100.0/30, 203.0.113.10-203.0.113.12,198.51.100.1") == [
        "198.51.100.1",
        "198.51.100.2",
        "203.0.113.10",
        "203.0.113.11",
        "203.0.113.12",
    ]
