"""The `customers` table: every billing customer billing's customer and account events told
of, with the CloudVPS account it pays for (null: none)."""

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from psycopg import Cursor

from hostplane.webhooks.domain.events import BillingCustomer

# A customer's account never changes, so one known is kept; one told of without an account
# (by a customer event published before customers carried it) gets it from an account event.
REMEMBER = """
INSERT INTO customers (customer_id, account_id) VALUES (%s, %s)
ON CONFLICT (customer_id) DO UPDATE SET account_id = EXCLUDED.account_id
WHERE customers.account_id IS NULL AND EXCLUDED.account_id IS NOT NULL
"""


def remember(cur: Cursor[Any], customers: Sequence[BillingCustomer]) -> None:
    """Keep each customer told of; one told of again changes nothing."""
    cur.executemany(REMEMBER, [(c.customer_id, c.account_id) for c in customers])


def known(cur: Cursor[Any], customers: Collection[UUID]) -> dict[UUID, UUID | None]:
    """Each of these customers told of, with its account (None: it has none)."""
    cur.execute(
        "SELECT customer_id, account_id FROM customers WHERE customer_id = ANY(%s)",
        (list(customers),),
    )
    return {customer: account for customer, account in cur.fetchall()}
