"""`python -m hostplane.schema` makes every service's tables once; services started with
SCHEMA_SETUP=external make none and use those."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from hostplane.schema import missing
from hostplane.support.bootstrap import bootstrap as support
from hostplane.support.settings import Settings as SupportSettings
from tests.conftest import Infra
from tests.stack import drop_database, fresh_database

# A table of each service's that its work needs, as the schema module must leave it.
EXPECTED_TABLES = {
    ("gateway", "used_tokens"),
    ("gateway", "refresh_tokens"),
    ("provisioning", "provisioning_events"),
    ("provisioning", "provisioning_tracking"),
    ("dns", "dns_events"),
    ("billing", "billing_events"),
    ("support", "support_events"),
    ("support", "attachments"),
    ("webhooks", "deliveries"),
    ("views", "instances"),
    ("views", "tracking"),
}


@pytest.fixture
def database(infra: Infra) -> Iterator[str]:
    name = f"schema_{uuid.uuid4().hex[:10]}"
    url = fresh_database(infra.database_url, name)
    yield url
    drop_database(infra.database_url, name)


def tables(database_url: str) -> set[tuple[str, str]]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return {(schema, table) for schema, table in rows}


def create_schemas(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hostplane.schema", *args],
        env=os.environ | {"DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_schema_module_creates_every_services_tables_and_can_run_again(database: str) -> None:
    first = create_schemas(database)
    assert first.returncode == 0, first.stderr
    made = tables(database)
    assert made >= EXPECTED_TABLES

    again = create_schemas(database)
    assert again.returncode == 0, again.stderr
    assert tables(database) == made


def test_a_service_set_up_externally_creates_nothing_and_runs_on_the_made_tables(
    database: str,
) -> None:
    external = SupportSettings(database_url=database, schema_setup="external")
    app = support(external)
    app.close()
    assert tables(database) == set()

    assert create_schemas(database).returncode == 0
    app = support(external)
    try:
        assert app.next_offset("support.commands", 0) is None
    finally:
        app.close()


def test_replicas_wait_for_the_schema_until_it_is_set_up(database: str) -> None:
    assert missing(database) == [
        "billing",
        "dns",
        "gateway",
        "metrics",
        "provisioning",
        "support",
        "webhooks",
    ]
    assert create_schemas(database).returncode == 0
    assert missing(database) == []
    waited = create_schemas(database, "--wait")
    assert waited.returncode == 0, waited.stderr
