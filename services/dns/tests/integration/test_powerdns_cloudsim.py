"""The dns service on PowerDNS, as DNS_PROVIDER=powerdns wires it, against cloudsim's PowerDNS
(the real HTTP client, paced transport and retries; events kept in memory)."""

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from hostplane.cloudsim.app import create_app
from hostplane.contracts import events as contract
from hostplane.dns.adapters.publishing import translate
from hostplane.dns.application import Dns
from hostplane.dns.bootstrap import make_provider
from hostplane.dns.settings import Settings
from hostplane.providers.errors import ProviderError
from tools.cloudsim.tests.conftest import serve

API_KEY = "pdns-key"


@pytest.fixture(scope="module")
def cloudsim_url() -> Iterator[str]:
    env = {"CLOUDSIM_POWERDNS_API_KEY": API_KEY, "CLOUDSIM_POWERDNS_ZONES": "hostplane.test."}
    yield from serve(create_app(env))


@pytest.fixture(autouse=True)
def no_faults(cloudsim_url: str) -> None:
    httpx.delete(f"{cloudsim_url}/_admin/faults").raise_for_status()


@pytest.fixture
def settings(cloudsim_url: str) -> Settings:
    return Settings(
        dns_provider="powerdns",
        powerdns_api_url=f"{cloudsim_url}/powerdns",
        powerdns_api_key=API_KEY,
        powerdns_zone="hostplane.test",
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Dns]:
    app = Dns(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}, make_provider(settings), settings.domain
    )
    yield app
    app.provider.close()


def records(cloudsim_url: str, name: str) -> list[dict[str, Any]]:
    found = httpx.get(f"{cloudsim_url}/_admin/powerdns/records", params={"name": name})
    found.raise_for_status()
    listed: list[dict[str, Any]] = found.json()
    return listed


def inject(cloudsim_url: str, **fault: Any) -> None:
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()


def published(app: Dns) -> list[contract.EventPayload]:
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 100)]
    return [out.payload for e in events if (out := translate(e)) is not None]


def subdomain() -> str:
    return f"i-{uuid4().hex[:12]}"


def test_a_new_server_gets_its_record_at_powerdns_and_loses_it_when_gone(
    app: Dns, cloudsim_url: str
) -> None:
    instance_id, name = uuid4(), subdomain()
    app.point_at_server(instance_id, name, "100.64.0.9", None)
    [rrset] = records(cloudsim_url, f"{name}.hostplane.test")
    assert (rrset["zone"], rrset["type"], rrset["ttl"]) == ("hostplane.test.", "A", 60)
    assert rrset["records"] == [{"content": "100.64.0.9", "disabled": False}]
    app.remove_for(instance_id, None)
    assert records(cloudsim_url, f"{name}.hostplane.test") == []
    created, deleted = published(app)
    assert isinstance(created, contract.RecordCreated)
    assert (created.provider, created.record_id) == ("powerdns", f"{name}.hostplane.test./A")
    assert isinstance(deleted, contract.RecordDeleted)
    assert deleted.record_id == created.record_id


def test_repeated_calls_change_nothing_more(app: Dns, cloudsim_url: str) -> None:
    name = f"{subdomain()}.hostplane.test"
    first = app.provider.ensure_record(name, "A", "100.64.0.9")
    serial = httpx.get(
        f"{cloudsim_url}/powerdns/api/v1/servers/localhost/zones/hostplane.test.",
        headers={"X-API-Key": API_KEY},
        params={"rrsets": "false"},
    ).json()["serial"]
    assert app.provider.ensure_record(name, "A", "100.64.0.9") == first
    zone = httpx.get(
        f"{cloudsim_url}/powerdns/api/v1/servers/localhost/zones/hostplane.test.",
        headers={"X-API-Key": API_KEY},
        params={"rrsets": "false"},
    ).json()
    assert zone["serial"] == serial  # looked up, not written again
    assert app.provider.ensure_absent(name, "A") == [first]
    assert app.provider.ensure_absent(name, "A") == []


def test_throttling_and_server_errors_are_waited_out(app: Dns, cloudsim_url: str) -> None:
    zone_path = "/powerdns/api/v1/servers/localhost/zones/hostplane.test."
    inject(cloudsim_url, method="GET", path=zone_path, kind="rate_limit", retry_after=1, times=1)
    inject(cloudsim_url, method="PATCH", path=zone_path, kind="status", status=503, times=2)
    instance_id, name = uuid4(), subdomain()
    app.point_at_server(instance_id, name, "100.64.0.9", None)
    assert [r["records"] for r in records(cloudsim_url, f"{name}.hostplane.test")] == [
        [{"content": "100.64.0.9", "disabled": False}]
    ]
    [created] = published(app)
    assert isinstance(created, contract.RecordCreated)


def test_a_name_outside_the_zone_is_refused_for_good(app: Dns) -> None:
    with pytest.raises(ProviderError) as refused:
        app.provider.ensure_record("shop.elsewhere.test", "A", "100.64.0.9")
    assert refused.value.code == "422"
    assert "Name is out of zone" in refused.value.message


def test_a_refused_record_is_published_as_failed(app: Dns) -> None:
    instance_id = uuid4()
    app.point_at_server(instance_id, subdomain(), "not-an-address", None)
    [failed] = published(app)
    assert isinstance(failed, contract.RecordFailed)
    assert failed.error_message.startswith("422: Record ")
    assert "unable to parse IP address" in failed.error_message


def test_a_zone_powerdns_does_not_serve_fails_for_good(settings: Settings) -> None:
    elsewhere = make_provider(settings.model_copy(update={"powerdns_zone": "elsewhere.test"}))
    with pytest.raises(ProviderError) as missing:
        elsewhere.ensure_absent("shop.elsewhere.test", "A")
    assert missing.value.code == "404"
    elsewhere.close()


def test_a_wrong_api_key_fails_for_good(settings: Settings) -> None:
    wrong = make_provider(settings.model_copy(update={"powerdns_api_key": "wrong"}))
    with pytest.raises(ProviderError) as refused:
        wrong.ensure_absent("shop.hostplane.test", "A")
    assert (refused.value.code, refused.value.message) == ("401", "Unauthorized")
    wrong.close()
