"""The `accounts` table: which CloudVPS account each billing customer is, as billing's
account events told it."""

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from psycopg import Cursor

from hostplane.webhooks.domain.events import CustomerAccount


def remember(cur: Cursor[Any], accounts: Sequence[CustomerAccount]) -> None:
    """Keep each account's customer; one told of again changes nothing."""
    cur.executemany(
        "INSERT INTO accounts (customer_id, account_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        [(a.customer_id, a.account_id) for a in accounts],
    )


def account_ids(cur: Cursor[Any], customers: Collection[UUID]) -> dict[UUID, UUID]:
    """The account of each of these customers that has one known."""
    cur.execute(
        "SELECT customer_id, account_id FROM accounts WHERE customer_id = ANY(%s)",
        (list(customers),),
    )
    return {customer: account for customer, account in cur.fetchall()}
