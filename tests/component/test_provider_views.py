"""Instances on any provider land in the read models the gateway reads, under the columns it
knows, with the provider beside them."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, LiteralString
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from hostplane.contracts import events as e
from hostplane.messaging.eventstore import Position
from hostplane.metrics.application import Delivered, Metrics
from tests.component.read_models import metrics_on
from tests.conftest import Infra


@pytest.fixture
def metrics(infra: Infra, schema: str) -> Iterator[Metrics]:
    with metrics_on(infra, schema) as app:
        yield app


def ordered(instance_id: UUID, at: datetime) -> e.InstanceCreated:
    return e.InstanceCreated(
        occurred_at=at,
        instance_id=instance_id,
        job_id=None,
        whmcs_service_id=11,
        whmcs_client_id=110,
        plan="starter",
        region="eu-frankfurt",
        email="owner@example.com",
        subdomain=f"pve{instance_id.hex[:8]}",
        server_type="pve-2c-4g",
        location="pve-node1",
        ai_preset=None,
        ready_token_sha256="0" * 64,
    )


def row(infra: Infra, schema: str, query: LiteralString, instance_id: UUID) -> dict[str, Any]:
    with psycopg.connect(infra.database_url, row_factory=dict_row) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        found = conn.execute(query, (instance_id,)).fetchone()
    assert found is not None
    return found


def test_a_proxmox_server_with_a_powerdns_record(
    infra: Infra, schema: str, metrics: Metrics
) -> None:
    instance_id, now = uuid4(), datetime.now(UTC)
    subject = str(instance_id)
    events: list[e.VpsEvent] = [
        ordered(instance_id, now),
        e.ServerCreated(
            occurred_at=now,
            instance_id=instance_id,
            hetzner_id=105,
            server_id=105,
            provider="proxmox",
            server_type="pve-2c-4g",
            datacenter="pve-node1",
            ip_address="10.0.0.5",
            subdomain="pve",
        ),
        e.DnsAssigned(
            occurred_at=now,
            instance_id=instance_id,
            cloudflare_record_id="pve.example.com./A",
            record_id="pve.example.com./A",
            provider="powerdns",
            fqdn="pve.example.com",
        ),
    ]
    metrics.apply_events(
        [
            Delivered(Position("vps.events", 0, n, versions=((subject, n + 1),)), event, n + 1)
            for n, event in enumerate(events)
        ]
    )
    metrics.apply_events(
        [
            Delivered(
                Position("dns.events", 0, 0, versions=((subject, 1),)),
                e.RecordCreated(
                    occurred_at=now,
                    instance_id=instance_id,
                    record_name="pve",
                    record_id="pve.example.com./A",
                    provider="powerdns",
                    record_type="A",
                    content="10.0.0.5",
                ),
                1,
            )
        ]
    )

    instance = row(
        infra,
        schema,
        "SELECT hetzner_id, server_provider, cloudflare_record_id, dns_provider "
        "FROM instances WHERE id = %s",
        instance_id,
    )
    assert instance == {
        "hetzner_id": 105,
        "server_provider": "proxmox",
        "cloudflare_record_id": "pve.example.com./A",
        "dns_provider": "powerdns",
    }
    record = row(
        infra,
        schema,
        "SELECT record_id, provider FROM dns_records WHERE instance_id = %s",
        instance_id,
    )
    assert record == {"record_id": "pve.example.com./A", "provider": "powerdns"}
