"""Read-model rows, signed orders and event history for the scenarios to work on."""

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from aiokafka import AIOKafkaProducer

from hostplane.contracts import events
from hostplane.contracts.topics import ALL_TOPICS
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.kafka import ensure_topics
from tests.stack import API_KEY, HMAC_SECRET

INSTANCES_SQL = """
INSERT INTO views.instances (id, version, whmcs_service_id, whmcs_client_id, email, plan,
    region, status, subdomain, server_type, location, ready_token_sha256, ip_address,
    hetzner_id, datacenter, fqdn, openclaw_version, gateway_port, created_at, updated_at,
    ready_at)
SELECT md5('bench' || g)::uuid, 5, 1000000 + g, 1 + g %% 5000, 'user' || g || '@example.com',
    'starter', 'eu-frankfurt', 'active', 'bench' || g, 'cx22', 'fsn1', md5(g::text),
    '100.64.0.1', g, 'fsn1-dc14', 'bench' || g || '.hostplane.test', '2026.11.0', 18789,
    now() - g * interval '1 second', now(), now()
FROM generate_series(1, %(n)s) g
"""


def active_instances(database_url: str, n: int, ids_file: Path) -> list[str]:
    """`n` active instances in the read model (and the baseline's table when it exists)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        # Ranked once for the whole load, not shifted row by row (each row is older).
        conn.execute("SET hostplane.ranking = 'deferred'")
        conn.execute(INSTANCES_SQL, {"n": n})
        conn.execute("SELECT views.rank_instances()")
        if conn.execute("SELECT to_regclass('baseline.instances')").fetchone()[0]:  # type: ignore[index]
            conn.execute(
                "INSERT INTO baseline.instances SELECT id, whmcs_service_id, whmcs_client_id,"
                " plan, region, email, subdomain, status, created_at FROM views.instances"
            )
        # As autovacuum leaves a table after a bulk insert: statistics and visibility map.
        conn.execute("VACUUM ANALYZE views.instances")
        ids = [str(row[0]) for row in conn.execute("SELECT id FROM views.instances")]
    ids_file.write_text("\n".join(ids) + "\n")
    return ids


def order(service_id: int, region: str = "eu-frankfurt") -> dict[str, object]:
    return {
        "whmcs_service_id": service_id,
        "whmcs_client_id": 1 + service_id % 5000,
        "plan": "starter",
        "region": region,
        "email": f"order{service_id}@example.com",
        "hostname": f"o{service_id}",
    }


def signed_orders(path: Path, first_service_id: int, n: int) -> Path:
    """`n` distinct WHMCS-signed create requests, one a line: key, timestamp, signature, body."""
    timestamp = str(int(time.time()))
    lines = []
    for service_id in range(first_service_id, first_service_id + n):
        body = json.dumps(order(service_id), separators=(",", ":"))
        signature = hmac.new(
            HMAC_SECRET.encode(), body.encode() + timestamp.encode(), hashlib.sha256
        ).hexdigest()
        lines.append(f"{API_KEY}\t{timestamp}\t{signature}\t{body}")
    path.write_text("\n".join(lines) + "\n")
    return path


def lifecycle(index: int, at: datetime) -> list[events.VpsEvent]:
    """The events of one instance from order to active."""
    instance_id = uuid.uuid5(uuid.NAMESPACE_URL, f"bench-history-{index}")
    subdomain = f"h{index}"
    return [
        events.InstanceCreated(
            occurred_at=at,
            instance_id=instance_id,
            job_id=uuid.uuid5(instance_id, "create"),
            whmcs_service_id=2_000_000 + index,
            whmcs_client_id=1 + index % 5000,
            plan="starter",
            region="eu-frankfurt",
            email=f"h{index}@example.com",
            subdomain=subdomain,
            server_type="cx22",
            location="fsn1",
            ai_preset=None,
            ready_token_sha256="0" * 64,
        ),
        events.ServerCreated(
            occurred_at=at,
            instance_id=instance_id,
            hetzner_id=index,
            server_type="cx22",
            datacenter="fsn1-dc14",
            ip_address="100.64.0.1",
            subdomain=subdomain,
        ),
        events.DnsAssigned(
            occurred_at=at,
            instance_id=instance_id,
            cloudflare_record_id=uuid.uuid5(instance_id, "dns").hex,
            fqdn=f"{subdomain}.hostplane.test",
        ),
        events.ReadyReported(
            occurred_at=at, instance_id=instance_id, openclaw_version="2026.11.0", gateway_port=1
        ),
        events.InstanceActivated(occurred_at=at, instance_id=instance_id),
    ]


async def event_history(bootstrap: str, prefix: str, instances: int) -> int:
    """Publish the lifecycles of `instances` instances to `vps.events`; returns the count."""
    await ensure_topics(bootstrap, ALL_TOPICS, prefix)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, acks="all")
    await producer.start()
    sent = 0
    try:
        at = datetime.now(UTC)
        pending = []
        for index in range(instances):
            for version, payload in enumerate(lifecycle(index, at), start=1):
                outgoing = OutgoingEvent(payload, payload.instance_id, version, "bench")
                pending.append(
                    await producer.send(
                        prefix + payload.topic.name,
                        outgoing.value,
                        key=outgoing.key,
                        headers=outgoing.headers,
                    )
                )
                sent += 1
        for delivery in pending:
            await delivery
    finally:
        await producer.stop()
    return sent
