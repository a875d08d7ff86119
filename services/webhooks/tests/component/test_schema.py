"""The webhooks schema on the real PostgreSQL: a database kept by an earlier version keeps what
it learnt when the schema is brought up to date, as often as replicas start."""

import uuid

import psycopg

from hostplane.webhooks.adapters.store import WebhookStore
from tests.conftest import Infra
from tests.stack import drop_database, fresh_database

# The table of accounts as it was before customers without an account were kept too.
EARLIER = """
CREATE SCHEMA webhooks;
CREATE TABLE webhooks.accounts (customer_id uuid PRIMARY KEY, account_id uuid NOT NULL);
"""


def test_the_accounts_learnt_before_are_known_customers_after_an_upgrade(infra: Infra) -> None:
    name = f"hostplane_webhooks_schema_{uuid.uuid4().hex[:8]}"
    url = fresh_database(infra.database_url, name)
    customer, account, without = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(EARLIER)
            conn.execute("INSERT INTO webhooks.accounts VALUES (%s, %s)", (customer, account))
        store = WebhookStore(url)
        try:
            store.create_schema()
            store.create_schema()  # another replica starting
            with store.transaction() as cur:
                cur.execute("INSERT INTO customers VALUES (%s, NULL)", (without,))
                cur.execute("SELECT customer_id, account_id FROM customers ORDER BY account_id")
                kept = cur.fetchall()
                cur.execute("SELECT to_regclass('accounts')")
                old_table = cur.fetchone()
        finally:
            store.close()
    finally:
        drop_database(infra.database_url, name)

    assert kept == [(customer, account), (without, None)]
    assert old_table == (None,)
