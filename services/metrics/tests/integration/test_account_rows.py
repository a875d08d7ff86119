"""CloudVPS accounts in `accounts`, on the real PostgreSQL in a schema of the test's own: each
row as of its newest event whatever order they arrive in, and each event in its tenant's log."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from hostplane.contracts import billing_events as b
from hostplane.contracts.secrets import SealedSecret
from hostplane.messaging.eventstore import Position
from hostplane.metrics.adapters.schemas import drop_schema
from hostplane.metrics.application import Delivered, Metrics
from hostplane.metrics.bootstrap import bootstrap
from hostplane.metrics.settings import Settings
from tests.conftest import Infra

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
HASH = SealedSecret(sealed="gAAAAA-sealed-argon2-hash", fingerprint="f" * 64)


@pytest.fixture
def schema() -> str:
    return f"accounts_{uuid4().hex[:12]}"


@pytest.fixture
def metrics(infra: Infra, schema: str) -> Iterator[Metrics]:
    settings = Settings.model_validate(
        {
            "database_url": infra.database_url,
            "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
        }
    )
    app = bootstrap(settings, schema=schema)
    try:
        yield app
    finally:
        app.close()
        drop_schema(infra.database_url, schema)


class Deliveries:
    """Billing's events as Kafka delivers them, without a CloudEvents subject: only the
    rows' versions decide what a late event may change."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics, self._offset = metrics, 0

    def deliver(self, event: b.AccountEvent, version: int) -> None:
        position = Position("billing.events", 0, self._offset)
        self._offset += 1
        self._metrics.apply_events([Delivered(position, event, version)])


def registered(tenant_id: UUID, email: str) -> b.AccountRegistered:
    account_id = uuid4()
    return b.AccountRegistered(
        occurred_at=T0,
        tenant_id=tenant_id,
        account_id=account_id,
        customer_id=uuid4(),
        email=email,
        name="John Doe",
        role="user",
        status="active",
        password=HASH,
        password_changed_at=None,
    )


def later(
    event: b.AccountEvent, kind: type[b.AccountEvent], minutes: int, **state: object
) -> b.AccountEvent:
    fields = {**event.model_dump(exclude={"occurred_at"}), **state}
    return kind(occurred_at=T0 + timedelta(minutes=minutes), **fields)


def rows(infra: Infra, schema: str, query: LiteralString, *args: object) -> list[dict[str, Any]]:
    with psycopg.connect(infra.database_url, row_factory=dict_row) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        return conn.execute(query, args).fetchall()


def test_an_account_row_is_its_newest_state_whatever_order_events_arrive_in(
    infra: Infra, schema: str, metrics: Metrics
) -> None:
    tenant = uuid4()
    created = registered(tenant, "John@Example.com")
    changed_at = T0 + timedelta(minutes=2)
    updated = later(created, b.AccountUpdated, 1, name="Jane Doe", email="jane@example.com")
    password = later(updated, b.AccountPasswordChanged, 2, password_changed_at=changed_at)
    suspended = later(password, b.AccountSuspended, 3, status="suspended")
    feed = Deliveries(metrics)

    feed.deliver(created, 1)
    feed.deliver(password, 3)
    feed.deliver(updated, 2)  # late: the row already holds version 3
    [row] = rows(infra, schema, "SELECT * FROM accounts")
    assert (row["version"], row["name"], row["email"], row["status"]) == (
        3,
        "Jane Doe",
        "jane@example.com",
        "active",
    )
    assert row["password_changed_at"] == changed_at
    assert (row["created_at"], row["updated_at"]) == (T0, changed_at)

    feed.deliver(suspended, 4)
    feed.deliver(created, 1)  # published again after a relay's takeover
    [row] = rows(infra, schema, "SELECT * FROM accounts")
    assert (row["id"], row["tenant_id"], row["customer_id"]) == (
        created.account_id,
        tenant,
        created.customer_id,
    )
    assert (row["version"], row["status"], row["role"]) == (4, "suspended", "user")
    assert row["password"] == HASH.model_dump()


def test_an_account_is_found_by_its_email_in_any_case_within_its_tenant(
    infra: Infra, schema: str, metrics: Metrics
) -> None:
    tenant, another = uuid4(), uuid4()
    mine, theirs = registered(tenant, "Jo@Example.com"), registered(another, "jo@example.com")
    feed = Deliveries(metrics)
    feed.deliver(mine, 1)
    feed.deliver(theirs, 1)

    found = rows(
        infra,
        schema,
        "SELECT id FROM accounts WHERE tenant_id = %s AND lower(email) = lower(%s)",
        tenant,
        "JO@example.COM",
    )
    assert found == [{"id": mine.account_id}]
    [index] = rows(
        infra,
        schema,
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'accounts_email' AND schemaname = %s",
        schema,
    )
    assert "(tenant_id, lower(email))" in str(index["indexdef"])


def test_an_accounts_events_are_in_its_tenants_audit_log_without_its_password(
    infra: Infra, schema: str, metrics: Metrics
) -> None:
    tenant, admin = uuid4(), uuid4()
    created = registered(tenant, "audit@example.com")
    suspended = later(
        created, b.AccountSuspended, 5, status="suspended", actor_id=admin, reason="abuse"
    )
    feed = Deliveries(metrics)
    feed.deliver(created, 1)
    feed.deliver(suspended, 2)

    lines = rows(
        infra,
        schema,
        "SELECT tenant_id, actor_id, action, resource_type, resource_id, metadata"
        " FROM audit ORDER BY created_at",
    )
    assert [(line["action"], line["actor_id"]) for line in lines] == [
        ("account.registered", None),
        ("account.suspended", admin),
    ]
    for line in lines:
        assert (line["tenant_id"], line["resource_type"], line["resource_id"]) == (
            tenant,
            "account",
            str(created.account_id),
        )
        assert "password" not in line["metadata"]
    assert lines[1]["metadata"] == {
        "customer_id": str(created.customer_id),
        "email": "audit@example.com",
        "name": "John Doe",
        "role": "user",
        "status": "suspended",
        "reason": "abuse",
    }
