"""Projection rules, without a database: what each event changes in the read models."""

from datetime import UTC, datetime
from uuid import uuid4

from hostplane.contracts import events as e
from hostplane.metrics.domain.changes import DnsRecordChanged, InstanceChanged, LogLine, UserSeen
from hostplane.metrics.domain.platform_log import PLATFORM_LOG
from hostplane.metrics.domain.projection import RULES, changes

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def instance_fields(event: e.VpsEvent, version: int = 2) -> dict[str, object]:
    change = changes(event, version)[0]
    assert isinstance(change, InstanceChanged)
    assert (change.instance_id, change.version) == (event.instance_id, version)
    return dict(change.fields)


def test_a_proxmox_server_is_recorded_by_its_own_id_and_provider() -> None:
    created = e.ServerCreated(
        occurred_at=NOW,
        instance_id=uuid4(),
        hetzner_id=105,
        server_id=105,
        provider="proxmox",
        server_type="pve-2c-4g",
        datacenter="pve-node1",
        ip_address="10.0.0.5",
        subdomain="alpha",
    )
    fields = instance_fields(created)
    assert fields["hetzner_id"] == 105
    assert fields["server_provider"] == "proxmox"


def test_a_server_event_from_before_providers_is_a_hetzner_one() -> None:
    created = e.ServerCreated.model_validate(
        {
            "occurred_at": NOW,
            "instance_id": uuid4(),
            "hetzner_id": 4242,
            "server_type": "cx22",
            "datacenter": "fsn1-dc14",
            "ip_address": "1.2.3.4",
            "subdomain": "beta",
        }
    )
    fields = instance_fields(created)
    assert fields["hetzner_id"] == 4242
    assert fields["server_provider"] == "hetzner"
    line = changes(created, 2)[-1]
    assert isinstance(line, LogLine)
    assert line.message == "Server 4242 (cx22) running in fsn1-dc14 at 1.2.3.4"


def test_a_dns_record_id_comes_from_the_neutral_field_or_the_old_one() -> None:
    instance_id = uuid4()
    powerdns = e.DnsAssigned(
        occurred_at=NOW,
        instance_id=instance_id,
        cloudflare_record_id="alpha.example.com./A",
        record_id="alpha.example.com./A",
        provider="powerdns",
        fqdn="alpha.example.com",
    )
    assert instance_fields(powerdns)["cloudflare_record_id"] == "alpha.example.com./A"
    assert instance_fields(powerdns)["dns_provider"] == "powerdns"

    before = e.DnsAssigned(
        occurred_at=NOW, instance_id=instance_id, cloudflare_record_id="cf-1", fqdn="a.b"
    )
    assert instance_fields(before)["cloudflare_record_id"] == "cf-1"
    assert instance_fields(before)["dns_provider"] == "cloudflare"


def test_a_created_record_names_its_provider_and_a_deleted_one_keeps_it() -> None:
    instance_id = uuid4()
    created = e.RecordCreated(
        occurred_at=NOW,
        instance_id=instance_id,
        record_name="alpha",
        record_id="r-1",
        provider="powerdns",
        record_type="A",
        content="10.0.0.5",
    )
    deleted = e.RecordDeleted(
        occurred_at=NOW, instance_id=instance_id, record_name="alpha", record_id=None
    )
    assert changes(created, 1) == [
        DnsRecordChanged(
            instance_id,
            "alpha",
            "created",
            NOW,
            record_id="r-1",
            provider="powerdns",
            content="10.0.0.5",
        )
    ]
    assert changes(deleted, 2) == [DnsRecordChanged(instance_id, "alpha", "deleted", NOW)]


def test_an_order_fills_a_new_user_but_a_login_says_the_current_email() -> None:
    order = e.InstanceCreated(
        occurred_at=NOW,
        instance_id=uuid4(),
        job_id=None,
        whmcs_service_id=7,
        whmcs_client_id=70,
        plan="starter",
        region="eu-frankfurt",
        email="billing@example.com",
        subdomain="gamma",
        server_type="cx22",
        location="fsn1",
        ai_preset=None,
        ready_token_sha256="0" * 64,
    )
    user = changes(order, 1)[0]
    assert isinstance(user, UserSeen)
    assert not user.email_is_current

    login = e.UserLoggedIn(
        occurred_at=NOW, user_id=user.user_id, whmcs_client_id=70, email="me@example.com"
    )
    assert changes(login, 1) == [
        UserSeen(user.user_id, 70, "me@example.com", NOW, logged_in_at=NOW)
    ]


def test_the_same_event_makes_the_same_log_line() -> None:
    activated = e.InstanceActivated(occurred_at=NOW, instance_id=uuid4())
    assert changes(activated, 5)[-1] == changes(activated, 5)[-1]
    assert changes(activated, 5)[-1] != changes(activated, 6)[-1]


def test_every_event_type_is_projected_or_logged() -> None:
    assert set(e.EVENT_TYPES.values()) <= set(RULES) | set(PLATFORM_LOG)
