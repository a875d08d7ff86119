"""Read-model rows, signed orders and event history for the scenarios to work on."""

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from aiokafka import AIOKafkaProducer
from psycopg import sql

from hostplane.contracts import events
from hostplane.contracts.billing import Address, InvoiceLine, InvoiceStatus
from hostplane.contracts.billing_events import (
    CustomerCreated,
    InvoiceCreated,
    InvoicePaid,
    PaymentSucceeded,
)
from hostplane.contracts.payload import EventPayload
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


# A CloudVPS customer's account, and their VPS as billing's CloudPods joined with instances:
# ids from md5 of the row's number, so each VPS's CloudPod, instance and subscription meet.
ACCOUNTS_SQL = """
INSERT INTO views.accounts (id, version, tenant_id, customer_id, email, name, role, status,
    password, created_at, updated_at)
SELECT md5('bench-account' || u)::uuid, 1, %(tenant)s, md5('bench-customer' || u)::uuid,
    'user' || u || '@bench.test', 'User ' || u, 'user', 'active', %(password)s,
    now() - u * interval '1 minute', now()
FROM generate_series(1, %(users)s) u
"""
PRODUCT_SQL = """
INSERT INTO views.products (id, version, tenant_id, name, product_type, sku, prices, specs,
    status, created_at, updated_at)
VALUES (md5('bench-product')::uuid, 1, %(tenant)s, 'Starter', 'cloudpod', 'starter',
    '[{"cycle": "monthly", "amount": 999, "currency": "USD"}]', '{}', 'active', now(), now())
"""
CLOUDPODS_SQL = """
INSERT INTO views.cloudpods (instance_id, version, tenant_id, customer_id, subscription_id,
    product_id, name, template, plan, region, created_at, updated_at)
SELECT md5('bench-vps' || g)::uuid, 1, %(tenant)s, md5('bench-customer' || (1 + g %% %(users)s))::uuid,
    md5('bench-subscription' || g)::uuid, md5('bench-product')::uuid,
    'vps-' || left(md5('name' || g), 10), 'starter', 'starter', 'eu-frankfurt',
    now() - g * interval '1 second', now()
FROM generate_series(1, %(n)s) g
"""
SUBSCRIPTIONS_SQL = """
INSERT INTO views.subscriptions (id, version, tenant_id, customer_id, product_id, status,
    billing_cycle, starts_at, period_start, period_end, renews_at, cancel_at_period_end,
    instance_id, created_at, updated_at)
SELECT c.subscription_id, 1, c.tenant_id, c.customer_id, c.product_id, 'active', 'monthly',
    c.created_at, c.created_at, c.created_at + interval '1 month',
    c.created_at + interval '1 month', false, c.instance_id, c.created_at, c.updated_at
FROM views.cloudpods c
"""
# One VPS in twenty terminated, two suspended, one provisioning, one failed; the rest active.
FLEET_INSTANCES_SQL = """
INSERT INTO views.instances (id, version, whmcs_service_id, whmcs_client_id, email, plan,
    region, status, subdomain, server_type, location, ready_token_sha256, ip_address,
    created_at, updated_at)
SELECT c.instance_id, 5, 0, 0, a.email, 'starter', 'eu-frankfurt',
    coalesce((ARRAY['terminated', 'suspended', 'suspended', 'provisioning', 'error'])[g %% 20 + 1],
        'active'),
    'vps' || g, 'cx22', 'fsn1', md5(g::text), '100.64.' || (g / 250) || '.' || (g %% 250),
    c.created_at, now()
FROM generate_series(1, %(n)s) g
JOIN views.cloudpods c ON c.instance_id = md5('bench-vps' || g)::uuid
JOIN views.accounts a ON a.customer_id = c.customer_id
"""


def cloudvps_fleet(
    database_url: str, tenant_id: uuid.UUID, users: int, vps: int, sealed_password: str
) -> list[str]:
    """`vps` VPS spread over `users` CloudVPS accounts of the tenant, all with one password
    (its sealed argon2 hash); returns the accounts' emails."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET hostplane.ranking = 'deferred'")
        params = {"tenant": tenant_id, "users": users, "n": vps, "password": sealed_password}
        for statement in (
            ACCOUNTS_SQL,
            PRODUCT_SQL,
            CLOUDPODS_SQL,
            SUBSCRIPTIONS_SQL,
            FLEET_INSTANCES_SQL,
        ):
            conn.execute(statement, params)
        conn.execute("SELECT views.rank_instances()")
        for table in ("accounts", "products", "cloudpods", "subscriptions", "instances"):
            conn.execute(sql.SQL("VACUUM ANALYZE views.{}").format(sql.Identifier(table)))
    return [f"user{u}@bench.test" for u in range(1, users + 1)]


@dataclass(frozen=True)
class SourceEvent:
    """A Hostplane event as its service's outbox relay publishes it."""

    outgoing: OutgoingEvent

    @property
    def ce_id(self) -> str:
        return f"{self.outgoing.aggregate_id}:{self.outgoing.version}"


class WebhookSources:
    """`vps.*`, `invoice.*` and `payment.*` events that endpoints hear of, spread over many
    instances and invoices: each key's events in the order its aggregate would have them."""

    VPS_CYCLE = (
        events.InstanceActivated,
        events.InstanceRebooted,
        events.InstanceSuspended,
        events.InstanceUnsuspended,
    )

    def __init__(self, label: str, vps_keys: int, invoice_keys: int) -> None:
        self.vps = [uuid.uuid5(uuid.NAMESPACE_URL, f"{label}-vps-{n}") for n in range(vps_keys)]
        self._vps_index = {key: n for n, key in enumerate(self.vps)}
        self.invoices = [
            uuid.uuid5(uuid.NAMESPACE_URL, f"{label}-invoice-{n}") for n in range(invoice_keys)
        ]
        self.tenant = uuid.uuid5(uuid.NAMESPACE_URL, f"{label}-tenant")
        self._versions: dict[uuid.UUID, int] = {}
        self._n = 0

    def next(self, at: datetime) -> SourceEvent:
        """The next event, happening `at`: two of three are an instance's, one an invoice's."""
        n = self._n
        self._n += 1
        if n % 3 == 2:
            key = self.invoices[(n // 3) % len(self.invoices)]
            payload = self._invoice(key, self._version(key), at)
        else:
            key = self.vps[(n - n // 3) % len(self.vps)]
            payload = self._vps(key, self._version(key), at)
        return SourceEvent(OutgoingEvent(payload, key, self._versions[key], "bench"))

    def customers(self, at: datetime) -> list[SourceEvent]:
        """The invoices' customers (an operator's, no CloudVPS account), as billing publishes
        them before any invoice of theirs: endpoints are told of their invoices at once."""
        return [
            SourceEvent(
                OutgoingEvent(
                    CustomerCreated(
                        occurred_at=at,
                        tenant_id=self.tenant,
                        customer_id=uuid.uuid5(key, "customer"),
                        name=f"Customer {n}",
                        email=f"customer-{n}@example.com",
                        phone="",
                        address=Address(country="US"),
                        timezone="UTC",
                        status="active",
                        stripe_customer_id=None,
                    ),
                    uuid.uuid5(key, "customer"),
                    1,
                    "bench",
                )
            )
            for n, key in enumerate(self.invoices)
        ]

    def _version(self, key: uuid.UUID) -> int:
        self._versions[key] = self._versions.get(key, 0) + 1
        return self._versions[key]

    def _vps(self, key: uuid.UUID, version: int, at: datetime) -> events.VpsEvent:
        if version == 1:
            created = lifecycle(self._vps_index[key], at)[0]
            return created.model_copy(update={"instance_id": key})
        kind = self.VPS_CYCLE[(version - 2) % len(self.VPS_CYCLE)]
        return kind(occurred_at=at, instance_id=key)

    def _invoice(self, key: uuid.UUID, version: int, at: datetime) -> EventPayload:
        customer = uuid.uuid5(key, "customer")
        if version % 3 == 0:
            return PaymentSucceeded(
                occurred_at=at,
                invoice_id=key,
                tenant_id=self.tenant,
                customer_id=customer,
                amount=999,
                currency="USD",
                attempt=1,
                payment_intent_id=f"pi_{key.hex[:24]}",
            )
        kind = InvoiceCreated if version % 3 == 1 else InvoicePaid
        paid = kind is InvoicePaid
        return kind(
            occurred_at=at,
            invoice_id=key,
            tenant_id=self.tenant,
            customer_id=customer,
            status=InvoiceStatus.PAID if paid else InvoiceStatus.UNPAID,
            number=f"INV-{version:06d}",
            currency="USD",
            lines=[InvoiceLine(description="Starter", quantity=1, unit_amount=999, amount=999)],
            subtotal=999,
            tax=0,
            tax_rate_bp=0,
            tax_country="DE",
            total=999,
            amount_paid=999 if paid else 0,
            amount_refunded=0,
            order_id=None,
            subscription_id=None,
            period_start=None,
            period_end=None,
            issued_at=at,
            due_at=at,
            paid_at=at if paid else None,
        )
