"""Proration: the unused part of the new price less the unused part of the old, by the second."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from hostplane.billing.domain.periods import period_at
from hostplane.billing.domain.proration import apply_credit, prorate, proration_line
from hostplane.contracts.billing import BillingCycle, InvoiceLine, InvoiceLineKind, Period

# A 30-day period: 2 592 000 seconds.
APRIL = Period(start=datetime(2026, 4, 1, tzinfo=UTC), end=datetime(2026, 5, 1, tzinfo=UTC))


def at(days: float = 0, **offset: float) -> datetime:
    return APRIL.start + timedelta(days=days, **offset)


def test_an_upgrade_halfway_through_charges_half_the_difference() -> None:
    assert prorate(1000, 3000, APRIL, at(15)) == 1000


def test_a_downgrade_halfway_through_credits_half_the_difference() -> None:
    assert prorate(3000, 1000, APRIL, at(15)) == -1000


def test_a_change_at_the_start_is_a_full_swap() -> None:
    assert prorate(1000, 3000, APRIL, APRIL.start) == 2000
    assert prorate(3000, 1000, APRIL, APRIL.start) == -2000


def test_a_change_before_the_start_is_a_full_swap_too() -> None:
    assert prorate(1000, 3000, APRIL, APRIL.start - timedelta(hours=1)) == 2000


@pytest.mark.parametrize("when", [APRIL.end, APRIL.end + timedelta(days=3)])
def test_a_change_at_or_after_the_end_owes_nothing(when: datetime) -> None:
    assert prorate(1000, 3000, APRIL, when) == 0


def test_a_change_in_the_last_second_owes_one_seconds_worth() -> None:
    assert prorate(0, 2_592_000, APRIL, APRIL.end - timedelta(seconds=1)) == 1
    assert prorate(0, 1000, APRIL, APRIL.end - timedelta(seconds=1)) == 0


def test_the_unused_time_counts_whole_seconds() -> None:
    # 2 591 999.5 seconds left count as 2 591 999.
    assert prorate(0, 2_592_000, APRIL, at(seconds=0.5)) == 2_591_999


def test_the_delta_rounds_half_up_away_from_zero() -> None:
    third = at(10)  # 20 of 30 days left: 2/3 of the difference
    quarter = at(22.5)  # 7.5 of 30 days left: 1/4 of the difference

    assert prorate(0, 1000, APRIL, third) == 667  # 666.67
    assert prorate(0, 1001, APRIL, at(15)) == 501  # 500.5
    assert prorate(1001, 0, APRIL, at(15)) == -501
    assert prorate(0, 10, APRIL, quarter) == 3  # 2.5


def test_an_upgrade_and_its_reverse_mirror_each_other() -> None:
    rng = random.Random(4)
    for _ in range(1000):
        old, new = rng.randrange(0, 100_000), rng.randrange(0, 100_000)
        when = APRIL.start + timedelta(seconds=rng.randrange(-10, 2_592_010))

        delta = prorate(old, new, APRIL, when)

        assert prorate(new, old, APRIL, when) == -delta
        assert abs(delta) <= abs(new - old)
        assert prorate(old, old, APRIL, when) == 0


def test_a_period_across_a_clock_change_is_prorated_by_real_seconds() -> None:
    # Berlin's March period is an hour short: 31 days less 3600 seconds.
    started = datetime(2026, 3, 15, tzinfo=UTC)
    march = period_at(started, "Europe/Berlin", BillingCycle.MONTHLY, 0)
    length = (march.end - march.start) // timedelta(seconds=1)

    assert length == 31 * 86_400 - 3600
    assert prorate(0, length, march, march.start + timedelta(seconds=1000)) == length - 1000


def test_a_naive_instant_or_an_empty_period_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        prorate(0, 1, APRIL, datetime(2026, 4, 2))
    with pytest.raises(ValueError, match="end after"):
        prorate(0, 1, Period(start=APRIL.start, end=APRIL.start), at(1))


def test_a_proration_line_is_one_signed_line() -> None:
    assert proration_line("Upgrade to CloudPod L", 1234) == InvoiceLine(
        description="Upgrade to CloudPod L",
        quantity=1,
        unit_amount=1234,
        amount=1234,
        kind=InvoiceLineKind.PRORATION,
    )
    assert proration_line("Credit for CloudPod S", -500).amount == -500


@pytest.mark.parametrize(
    ("credit", "charges", "used", "carried"),
    [
        (-500, 2000, -500, 0),
        (-2000, 2000, -2000, 0),
        (-2500, 2000, -2000, -500),
        (-500, 0, 0, -500),
        (0, 2000, 0, 0),
    ],
)
def test_a_credit_is_used_up_to_the_charges_and_the_rest_carried(
    credit: int, charges: int, used: int, carried: int
) -> None:
    assert apply_credit(credit, charges) == (used, carried)


def test_a_positive_credit_or_negative_charges_are_refused() -> None:
    with pytest.raises(ValueError, match="credit"):
        apply_credit(100, 1000)
    with pytest.raises(ValueError, match="credit"):
        apply_credit(-100, -1)
