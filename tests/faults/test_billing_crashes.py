"""Billing killed -9 in the middle of its work, with a second replica beside it: a renewal
run leaves exactly one invoice per (subscription, period), numbered without gaps, and one
charge per invoice; Stripe webhooks arriving around a crash pay each invoice exactly once."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Infra, wait_until
from tests.e2e.mpanel import login
from tests.faults.billing_seed import (
    count,
    doubled_periods,
    renewed,
    seed_subscriptions,
    subscriptions_shown,
)
from tests.stack import Stack, running_stack

SUBSCRIPTIONS, CUSTOMERS = 300, 30
ORDERS = 12
STARTED = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # April 1st in Berlin


@pytest.fixture(scope="module")
def billing_stack(infra: Infra) -> Iterator[Stack]:
    with running_stack(
        infra, label="billing-faults", BILLING_TICK_S="0.5", METRICS_INTERVAL_S="0"
    ) as stack:
        stack.processes.start("billing-2", module="billing")
        yield stack


def _crash_and_revive(stack: Stack, name: str = "billing") -> None:
    stack.processes.kill(name)
    stack.processes.start(name)


def _succeeded_charges(stack: Stack) -> Counter[str]:
    intents = stack.admin("GET", "/stripe/payment_intents?status=succeeded").json()
    return Counter(str(i["metadata"].get("invoice_id")) for i in intents)


def test_a_renewal_run_survives_a_kill_with_one_invoice_and_one_charge_per_period(
    billing_stack: Stack,
) -> None:
    stack = billing_stack
    stack.set_clock(STARTED)
    seed_subscriptions(stack, SUBSCRIPTIONS, CUSTOMERS, STARTED, saved_cards=True)
    wait_until(lambda: subscriptions_shown(stack) >= SUBSCRIPTIONS, 120, 0.2, what="views")

    stack.set_clock(STARTED + timedelta(days=31))
    wait_until(lambda: renewed(stack) >= SUBSCRIPTIONS // 10, 120, 0.02, what="renewals")
    _crash_and_revive(stack)  # in the middle of the run
    wait_until(lambda: renewed(stack) >= SUBSCRIPTIONS, 300, 0.2, what="every renewal")

    assert renewed(stack) == SUBSCRIPTIONS
    wait_until(
        lambda: (
            count(stack, "SELECT count(*) FROM views.invoices WHERE subscription_id IS NOT NULL")
            >= SUBSCRIPTIONS
        ),
        120,
        0.2,
        what="the renewal invoices in the read models",
    )
    assert doubled_periods(stack) == 0

    def every_renewal_charged() -> Counter[str] | None:
        charges = _succeeded_charges(stack)
        return charges if len(charges) >= SUBSCRIPTIONS else None

    charges = wait_until(every_renewal_charged, 60, 0.2, what="a charge for each renewal")
    assert len(charges) == SUBSCRIPTIONS and set(charges.values()) == {1}
    numbers = count(
        stack,
        "SELECT count(DISTINCT number) FROM views.invoices WHERE number IS NOT NULL "
        "AND number LIKE %s",
        f"INV-{STARTED.year}-%",
    )
    highest = count(
        stack,
        "SELECT max(substring(number from '[0-9]+$')::int) FROM views.invoices "
        "WHERE number LIKE %s",
        f"INV-{STARTED.year}-%",
    )
    assert numbers == highest  # gapless: 1..n, each once


def test_webhooks_around_a_kill_pay_each_invoice_once(billing_stack: Stack) -> None:
    stack = billing_stack
    session = login(stack)
    product = session.cloudpod_product()
    invoices = [
        session.order(session.customer()["id"], product["id"])["invoice"]["id"]
        for _ in range(ORDERS)
    ]
    stack.admin("POST", "/stripe/webhooks/hold")
    try:
        for invoice_id in invoices:
            session.pay(invoice_id)
    finally:
        stack.admin("POST", "/stripe/webhooks/release", {"order": "sent"})

    def paid() -> int:
        return sum(
            1
            for invoice_id in invoices
            if session.call("GET", f"/invoices/{invoice_id}")["status"] == "paid"
        )

    wait_until(lambda: paid() >= 1, 60, 0.05, what="a first paid invoice")
    _crash_and_revive(stack)
    wait_until(lambda: paid() == ORDERS, 120, 0.2, what="every invoice paid")

    charges = _succeeded_charges(stack)
    assert all(charges[invoice_id] == 1 for invoice_id in invoices)
    for invoice_id in invoices:
        audit = session.call("GET", f"/audit?resourceId={invoice_id}")["items"]
        assert [e["action"] for e in audit].count("payment.succeeded") == 1
