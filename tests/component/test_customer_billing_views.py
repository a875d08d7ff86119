"""A CloudVPS customer's cards and invoices, projected by metrics from billing's events and
read back through the gateway's `CustomerBillingViews`: the cards as of the customer's latest
event, the invoices by the contract's statuses and due dates, another customer's none."""

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from hostplane.contracts import billing_events as b
from hostplane.contracts.billing import InvoiceStatus
from hostplane.gateway.adapters.customer_billing_views import CustomerBillingViews
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.cloudvps.billing import Card, Cards, InvoiceFilter
from hostplane.metrics.application import Metrics
from tests.component.billing_read_models import (
    Feed,
    billing_database,
    customer,
    invoice,
    metrics_in,
    tenant_created,
)
from tests.conftest import Infra

VISA = b.SavedCard(id="pm_visa", brand="visa", last4="4242", exp_month=12, exp_year=2030)
MASTER = b.SavedCard(id="pm_master", brand="mastercard", last4="4444", exp_month=1, exp_year=2031)


@pytest.fixture
def database_url(infra: Infra, run_id: str) -> Iterator[str]:
    with billing_database(infra, f"customer_billing_{run_id}") as url:
        yield url


@pytest.fixture
def metrics(infra: Infra, database_url: str) -> Iterator[Metrics]:
    with metrics_in(infra, database_url) as app:
        yield app


@pytest.fixture
async def views(metrics: Metrics, database_url: str) -> AsyncIterator[CustomerBillingViews]:
    db = Database(database_url, pool_size=2)
    await db.open()
    try:
        yield CustomerBillingViews(db)
    finally:
        await db.close()


def _cards_event(
    kind: type[b.CustomerPaymentMethodAdded | b.CustomerPaymentMethodRemoved],
    base: b.CustomerEvent,
    changed: str,
    cards: list[b.SavedCard],
    default: str | None,
) -> b.CustomerEvent:
    fields = base.model_dump() | {"payment_methods": cards, "default_payment_method": default}
    return kind(payment_method_id=changed, **fields)


def _filter(status: str | None = None, **dates: date) -> InvoiceFilter:
    return InvoiceFilter(status, dates.get("start"), dates.get("end"), "due_date", False, 1, 20)


async def test_a_customers_cards_are_those_of_their_latest_event(
    metrics: Metrics, views: CustomerBillingViews
) -> None:
    feed, tenant, customer_id = Feed(metrics), uuid4(), uuid4()
    feed.publish(tenant_created(tenant, "Hostplane"), tenant)
    created = customer(tenant, customer_id=customer_id)
    feed.publish(created, customer_id)
    added = _cards_event(b.CustomerPaymentMethodAdded, created, "pm_visa", [VISA], "pm_visa")
    feed.publish(added, customer_id)
    both = [VISA, MASTER]
    feed.publish(
        _cards_event(b.CustomerPaymentMethodAdded, created, "pm_master", both, "pm_master"),
        customer_id,
    )
    removed = _cards_event(b.CustomerPaymentMethodRemoved, created, "pm_master", [VISA], None)
    feed.publish(removed, customer_id)

    assert feed.publish(added, customer_id, version=2) == 0  # redelivered: changes nothing
    assert await views.cards(tenant, customer_id) == Cards(
        [Card("pm_visa", "visa", "4242", 12, 2030)], None
    )
    assert await views.cards(uuid4(), customer_id) is None


async def test_a_customers_invoices_by_the_contracts_statuses_and_due_dates(
    metrics: Metrics, views: CustomerBillingViews
) -> None:
    feed, tenant, customer_id = Feed(metrics), uuid4(), uuid4()
    feed.publish(tenant_created(tenant, "Hostplane"), tenant)
    soon = datetime.now(UTC) + timedelta(days=7)
    ids: dict[str, UUID] = {name: uuid4() for name in ("paid", "pending", "overdue", "void")}
    rows = [
        (ids["paid"], InvoiceStatus.PAID, {"paid_at": soon}),
        (ids["pending"], InvoiceStatus.UNPAID, {"due_at": soon}),
        (ids["overdue"], InvoiceStatus.UNPAID, {}),  # due an hour after T0, long past
        (ids["void"], InvoiceStatus.CANCELLED, {}),
    ]
    for invoice_id, status, extra in rows:
        event = invoice(b.InvoiceFinalized, tenant, customer_id, invoice_id, status, **extra)
        feed.publish(event, invoice_id)
    feed.publish(invoice(b.InvoiceFinalized, tenant, uuid4(), uuid4(), InvoiceStatus.PAID), None)

    async def shown(wanted: InvoiceFilter) -> list[UUID]:
        return [
            row.id for row in (await views.customer_invoices(tenant, customer_id, wanted)).items
        ]

    assert await shown(_filter("paid")) == [ids["paid"]]
    assert await shown(_filter("pending")) == [ids["pending"]]
    assert await shown(_filter("overdue")) == [ids["overdue"]]
    assert set(await shown(_filter())) == {ids["paid"], ids["pending"], ids["overdue"]}
    assert await shown(_filter(start=soon.date())) == [ids["pending"]]
