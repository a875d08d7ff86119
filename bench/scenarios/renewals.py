"""renewals: one renewal run over 10,000 subscriptions, with two billing replicas at once.

The subscriptions are stored directly in billing's event store (as paid orders would leave
them) and published by the running replicas; once metrics shows them all, billing's clock is
moved past their period's end. The leading replica's timer then sends one `RenewSubscription`
per subscription, and both replicas renew them, each on its share of `billing.commands`'
partitions. Measured: renewal invoices per second, from the clock's move until the last one
is stored, and how many (subscription, period) pairs got more than one invoice (zero).
"""

import time
from datetime import UTC, datetime, timedelta

from bench.common import Result, Target, stack
from tests.conftest import wait_until
from tests.faults.billing_seed import (
    count,
    doubled_periods,
    renewed,
    seed_subscriptions,
    subscriptions_shown,
)

SUBSCRIPTIONS = 10_000
CUSTOMERS = 500
STARTED = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def run() -> Result:
    with stack(
        "renewals",
        replicas=2,
        LOG_LEVEL="WARNING",
        BILLING_TICK_S="1",
        METRICS_INTERVAL_S="0",
    ) as hostplane:
        hostplane.set_clock(STARTED)
        seed_subscriptions(hostplane, SUBSCRIPTIONS, CUSTOMERS, STARTED)
        wait_until(
            lambda: subscriptions_shown(hostplane) >= SUBSCRIPTIONS,
            300,
            0.5,
            what="metrics to show every subscription",
        )
        started = time.monotonic()
        hostplane.set_clock(STARTED + timedelta(days=32))
        wait_until(lambda: renewed(hostplane) >= SUBSCRIPTIONS, 1200, 0.2, what="renewals")
        seconds = time.monotonic() - started
        invoices = renewed(hostplane)
        renewal_invoices = "SELECT count(*) FROM views.invoices WHERE subscription_id IS NOT NULL"
        wait_until(
            lambda: count(hostplane, renewal_invoices) >= SUBSCRIPTIONS,
            600,
            0.5,
            what="the renewal invoices in the read models",
        )
        duplicates = doubled_periods(hostplane)
    rate = SUBSCRIPTIONS / seconds
    figures = {
        "subscriptions": SUBSCRIPTIONS,
        "renewal_invoices": invoices,
        "seconds_until_all_invoiced": seconds,
        "invoices_per_s": rate,
        "duplicate_invoices": duplicates,
    }
    settings = {
        "billing_replicas": 2,
        "timer": "BILLING_TICK_S=1, led by one replica; renewals spread over 8 partitions",
        "subscriptions": f"{SUBSCRIPTIONS} monthly, {CUSTOMERS} customers, one tenant "
        "(one invoice-number series: every renewal takes its next number)",
        "measured": "from the clock's move past the period end to the last Renewed event",
    }
    targets = [
        Target("renewal invoices per second", rate, 500.0),
        Target("duplicate invoices", float(duplicates), 0.0, higher_is_better=False),
    ]
    return Result("renewals", figures, settings, targets)
