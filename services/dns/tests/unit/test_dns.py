"""DNS use cases on in-memory persistence with a fake Cloudflare."""

from dataclasses import dataclass, field
from uuid import uuid4

import pytest

from hostplane.contracts import events as contract
from hostplane.dns.adapters.cloudflare import ProviderError
from hostplane.dns.adapters.publishing import translate
from hostplane.dns.application import Dns
from hostplane.dns.domain.record import Record
from hostplane.messaging.eventstore import Position


@dataclass
class FakeCloudflare:
    records: dict[str, str] = field(default_factory=dict)
    refuse: bool = False

    def ensure_record(self, name: str, record_type: str, content: str) -> str:
        if self.refuse:
            raise ProviderError("1004", "DNS Validation Error")
        self.records[name] = content
        return f"id-{name}"

    def ensure_absent(self, name: str, record_type: str) -> list[str]:
        return [f"id-{name}"] if self.records.pop(name, None) else []


@pytest.fixture
def cloudflare() -> FakeCloudflare:
    return FakeCloudflare()


@pytest.fixture
def app(cloudflare: FakeCloudflare) -> Dns:
    return Dns({"PERSISTENCE_MODULE": "eventsourcing.popo"}, cloudflare, "hostplane.test")  # type: ignore[arg-type]


def published(app: Dns) -> list[contract.EventPayload]:
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 100)]
    return [out.payload for e in events if (out := translate(e)) is not None]


def test_a_new_server_gets_its_a_record_once(app: Dns, cloudflare: FakeCloudflare) -> None:
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", Position("vps", 0, 1))
    app.point_at_server(instance_id, "shop", "100.64.0.9", Position("vps", 0, 2))
    assert cloudflare.records == {"shop.hostplane.test": "100.64.0.9"}
    [created] = published(app)
    assert isinstance(created, contract.RecordCreated)
    assert created.record_id == "id-shop.hostplane.test"
    assert created.instance_id == instance_id


def test_a_refused_record_is_published_as_a_failure(app: Dns, cloudflare: FakeCloudflare) -> None:
    cloudflare.refuse = True
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", None)
    [failed] = published(app)
    assert isinstance(failed, contract.RecordFailed)
    assert failed.error_code == "DNS_FAILED"
    record: Record = app.repository.get(Record.create_id(instance_id))
    assert not record.is_live


def test_removal_deletes_the_record_and_is_idempotent(app: Dns, cloudflare: FakeCloudflare) -> None:
    instance_id = uuid4()
    app.point_at_server(instance_id, "shop", "100.64.0.9", None)
    app.remove_for(instance_id, None)
    app.remove_for(instance_id, None)
    app.remove_for(uuid4(), None)  # an instance that never had a record
    assert cloudflare.records == {}
    assert [type(p) for p in published(app)] == [contract.RecordCreated, contract.RecordDeleted]
