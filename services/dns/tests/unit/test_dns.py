"""DNS use cases on in-memory persistence with a fake DNS provider behind the port."""

import json
import os
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from pydantic import ValidationError

from hostplane.contracts import events as contract
from hostplane.dns.adapters.cloudflare import CloudflareProvider
from hostplane.dns.adapters.powerdns import PowerDnsProvider
from hostplane.dns.adapters.provider import DnsProvider, DnsProviderName
from hostplane.dns.adapters.publishing import translate
from hostplane.dns.application import Dns
from hostplane.dns.bootstrap import make_provider
from hostplane.dns.domain.record import Record
from hostplane.dns.settings import Settings
from hostplane.messaging.eventstore import Position
from hostplane.providers.errors import ProviderError


@dataclass
class FakeProvider:
    provider: DnsProviderName = "powerdns"
    records: dict[str, str] = field(default_factory=dict)
    refuse: bool = False
    closed: bool = False

    @property
    def name(self) -> DnsProviderName:
        return self.provider

    def ensure_record(self, name: str, record_type: str, content: str) -> str:
        if self.refuse:
            raise ProviderError("422", "Record shop./A 'x': unable to parse IP address")
        self.records[name] = content
        return f"{name}./{record_type}"

    def ensure_absent(self, name: str, record_type: str) -> list[str]:
        return [f"{name}./{record_type}"] if self.records.pop(name, None) else []

    def close(self) -> None:
        self.closed = True


def in_memory(provider: DnsProvider) -> Dns:
    return Dns({"PERSISTENCE_MODULE": "eventsourcing.popo"}, provider, "hostplane.test")


@pytest.fixture
def dns_host() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def app(dns_host: FakeProvider) -> Dns:
    return in_memory(dns_host)


def published(app: Dns) -> list[contract.EventPayload]:
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 100)]
    return [out.payload for e in events if (out := translate(e)) is not None]


def test_a_new_server_gets_its_a_record_once(app: Dns, dns_host: FakeProvider) -> None:
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", Position("vps", 0, 1))
    app.point_at_server(instance_id, "shop", "100.64.0.9", Position("vps", 0, 2))
    assert dns_host.records == {"shop.hostplane.test": "100.64.0.9"}
    [created] = published(app)
    assert isinstance(created, contract.RecordCreated)
    assert created.record_id == "shop.hostplane.test./A"
    assert created.provider == "powerdns"
    assert created.instance_id == instance_id


def test_the_record_remembers_the_provider_that_holds_it(app: Dns) -> None:
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", None)
    record: Record = app.repository.get(Record.create_id(instance_id))
    assert record.provider == "powerdns"
    assert record.is_live


def test_a_refused_record_is_published_as_a_failure(app: Dns, dns_host: FakeProvider) -> None:
    dns_host.refuse = True
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", None)
    [failed] = published(app)
    assert isinstance(failed, contract.RecordFailed)
    assert failed.error_code == "DNS_FAILED"
    assert failed.error_message.startswith("422: ")
    record: Record = app.repository.get(Record.create_id(instance_id))
    assert not record.is_live


def test_removal_deletes_the_record_and_is_idempotent(app: Dns, dns_host: FakeProvider) -> None:
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", None)
    app.remove_for(instance_id, None)
    app.remove_for(instance_id, None)
    app.remove_for(uuid4(), None)  # an instance that never had a record
    assert dns_host.records == {}
    assert [type(p) for p in published(app)] == [contract.RecordCreated, contract.RecordDeleted]


def test_a_record_made_at_another_provider_is_removed_by_name_at_this_one() -> None:
    cloudflare = FakeProvider("cloudflare")
    app = in_memory(cloudflare)
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", None)
    # The zone moved to PowerDNS, names and all, and the service restarted with it.
    app.provider = powerdns = FakeProvider("powerdns", records=dict(cloudflare.records))
    app.remove_for(instance_id, None)
    assert powerdns.records == {}
    record: Record = app.repository.get(Record.create_id(instance_id))
    assert (record.provider, record.deleted) == ("cloudflare", True)


def test_a_record_stored_before_providers_were_named_is_cloudflares(app: Dns) -> None:
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", None)
    [notification] = app.recorder.select_notifications(1, 1)
    state: dict[str, Any] = json.loads(notification.state)
    del state["provider"]
    stored = StoredEvent(
        originator_id=notification.originator_id,
        originator_version=notification.originator_version,
        topic=notification.topic,
        state=json.dumps(state).encode(),
    )
    outgoing = translate(app.mapper.to_domain_event(stored))
    assert outgoing is not None
    assert isinstance(outgoing.payload, contract.RecordCreated)
    assert outgoing.payload.provider == "cloudflare"
    older = in_memory(FakeProvider())
    older.recorder.insert_events([stored])
    record: Record = older.repository.get(Record.create_id(instance_id))
    assert (record.provider, record.name) == ("cloudflare", "shop.hostplane.test")


CLOUDFLARE_ENV = {
    "CLOUDFLARE_API_TOKEN": "t",
    "CLOUDFLARE_ZONE_ID": "023e105f4ecef8ad9ca31a8372d0c353",
    "CLOUDFLARE_DOMAIN": "hostplane.test",
}
POWERDNS_ENV = {
    "DNS_PROVIDER": "powerdns",
    "POWERDNS_API_URL": "http://127.0.0.1:8081",
    "POWERDNS_API_KEY": "changeme",
}


def settings(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Settings:
    """The dns settings from `env` alone, whatever this process's environment holds."""
    for key in os.environ:
        if key.startswith(("CLOUDFLARE_", "POWERDNS_", "DNS_")):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings()


def test_cloudflare_is_the_default_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = settings(monkeypatch, CLOUDFLARE_ENV)
    provider = make_provider(chosen)
    assert isinstance(provider, CloudflareProvider)
    assert (provider.name, chosen.domain) == ("cloudflare", "hostplane.test")
    provider.close()


def test_powerdns_needs_only_its_own_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = settings(monkeypatch, {**POWERDNS_ENV, "POWERDNS_ZONE": "vps.example.test."})
    provider = make_provider(chosen)
    assert isinstance(provider, PowerDnsProvider)
    assert (provider.name, chosen.domain) == ("powerdns", "vps.example.test")
    assert chosen.powerdns_server_id == "localhost"
    assert chosen.powerdns_pace is None
    provider.close()


def test_powerdns_takes_cloudflares_domain_when_no_zone_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = settings(monkeypatch, {**POWERDNS_ENV, "CLOUDFLARE_DOMAIN": "hostplane.test"})
    assert chosen.domain == "hostplane.test"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "CLOUDFLARE_API_TOKEN, CLOUDFLARE_ZONE_ID, CLOUDFLARE_DOMAIN"),
        ({"DNS_PROVIDER": "powerdns"}, "POWERDNS_API_URL, POWERDNS_API_KEY, POWERDNS_ZONE"),
        (POWERDNS_ENV, "POWERDNS_ZONE (or CLOUDFLARE_DOMAIN)"),
        ({**CLOUDFLARE_ENV, "DNS_PROVIDER": "route53"}, "'cloudflare' or 'powerdns'"),
    ],
)
def test_settings_name_what_the_chosen_provider_lacks(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str
) -> None:
    with pytest.raises(ValidationError, match=missing.replace("(", r"\(").replace(")", r"\)")):
        settings(monkeypatch, env)
