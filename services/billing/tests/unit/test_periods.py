"""Billing periods: cut at the anchor's local wall time, from the anchor, whatever the calendar."""

import itertools
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hostplane.billing.domain.periods import (
    TimezoneError,
    next_period,
    period_at,
    period_containing,
    valid_timezone,
)
from hostplane.contracts.billing import BillingCycle, Period

MONTHLY, YEARLY = BillingCycle.MONTHLY, BillingCycle.YEARLY
BERLIN, NEW_YORK, SYDNEY = "Europe/Berlin", "America/New_York", "Australia/Sydney"


def local(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def starts(started: datetime, zone: str, cycle: BillingCycle, count: int) -> list[datetime]:
    """The local start of the first `count` periods."""
    return [
        period_at(started, zone, cycle, index).start.astimezone(ZoneInfo(zone))
        for index in range(count)
    ]


def test_the_first_period_starts_at_the_subscription_and_ends_a_month_later() -> None:
    started = utc(2026, 3, 10, 14, 7, 9)

    period = period_at(started, "UTC", MONTHLY, 0)

    assert period == Period(start=started, end=utc(2026, 4, 10, 14, 7, 9))
    assert period.start.utcoffset() == timedelta(0)


def test_a_31st_renews_on_the_last_day_of_shorter_months_and_on_the_31st_again() -> None:
    started = utc(2026, 1, 31, 9)

    days = [start.date().isoformat() for start in starts(started, "UTC", MONTHLY, 8)]

    assert days == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
        "2026-06-30",
        "2026-07-31",
        "2026-08-31",
    ]


def test_a_31st_renews_on_the_29th_of_february_in_a_leap_year() -> None:
    days = [start.day for start in starts(utc(2028, 1, 31), "UTC", MONTHLY, 3)]

    assert days == [31, 29, 31]


def test_a_30th_and_a_29th_keep_their_day_after_february() -> None:
    thirtieth = [s.date().isoformat() for s in starts(utc(2027, 1, 30), "UTC", MONTHLY, 4)]
    twenty_ninth = [s.date().isoformat() for s in starts(utc(2027, 1, 29), "UTC", MONTHLY, 3)]

    assert thirtieth == ["2027-01-30", "2027-02-28", "2027-03-30", "2027-04-30"]
    assert twenty_ninth == ["2027-01-29", "2027-02-28", "2027-03-29"]


def test_periods_are_contiguous_and_each_ends_where_the_next_starts() -> None:
    started = local(BERLIN, 2025, 8, 31, 0, 30)

    periods = [period_at(started, BERLIN, MONTHLY, index) for index in range(30)]

    for current, following in itertools.pairwise(periods):
        assert current.end == following.start
        assert current.start < current.end


def test_yearly_from_the_29th_of_february_is_the_28th_in_common_years() -> None:
    days = [s.date().isoformat() for s in starts(utc(2024, 2, 29, 12), "UTC", YEARLY, 6)]

    assert days == [
        "2024-02-29",
        "2025-02-28",
        "2026-02-28",
        "2027-02-28",
        "2028-02-29",
        "2029-02-28",
    ]


def test_yearly_periods_span_a_year() -> None:
    period = period_at(utc(2026, 5, 4, 3, 2, 1), "UTC", YEARLY, 2)

    assert period == Period(start=utc(2028, 5, 4, 3, 2, 1), end=utc(2029, 5, 4, 3, 2, 1))


def test_local_wall_time_is_kept_across_daylight_saving_in_berlin() -> None:
    started = local(BERLIN, 2026, 1, 15, 0, 30)

    winter, summer = period_at(started, BERLIN, MONTHLY, 0), period_at(started, BERLIN, MONTHLY, 3)

    assert winter.start == utc(2026, 1, 14, 23, 30)  # CET, UTC+1
    assert summer.start == utc(2026, 4, 14, 22, 30)  # CEST, UTC+2
    assert {s.time().isoformat() for s in starts(started, BERLIN, MONTHLY, 13)} == {"00:30:00"}


@pytest.mark.parametrize(
    ("zone", "started", "gap_index", "expected"),
    [
        # Berlin skips 02:00-03:00 on 2025-03-30: 02:30 moves to 03:00 CEST.
        (BERLIN, local(BERLIN, 2025, 1, 30, 2, 30), 2, utc(2025, 3, 30, 1, 0)),
        # New York skips 02:00-03:00 on 2025-03-09: 02:15 moves to 03:00 EDT.
        (NEW_YORK, local(NEW_YORK, 2025, 1, 9, 2, 15), 2, utc(2025, 3, 9, 7, 0)),
        # Sydney skips 02:00-03:00 on 2025-10-05: 02:30 moves to 03:00 AEDT.
        (SYDNEY, local(SYDNEY, 2025, 8, 5, 2, 30), 2, utc(2025, 10, 4, 16, 0)),
    ],
)
def test_a_wall_time_the_clocks_skip_moves_to_the_first_instant_after_the_gap(
    zone: str, started: datetime, gap_index: int, expected: datetime
) -> None:
    before = period_at(started, zone, MONTHLY, gap_index - 1)
    in_gap = period_at(started, zone, MONTHLY, gap_index)
    after = period_at(started, zone, MONTHLY, gap_index + 1)

    assert in_gap.start == expected
    assert in_gap.start.astimezone(ZoneInfo(zone)).time().isoformat() == "03:00:00"
    assert before.end == in_gap.start and in_gap.end == after.start
    # The month after the gap is back at the anchor's wall time.
    assert after.start.astimezone(ZoneInfo(zone)).time() == started.time()


@pytest.mark.parametrize(
    ("zone", "started", "fold_index", "expected"),
    [
        # New York repeats 01:00-02:00 on 2025-11-02; the first 01:30 is EDT (UTC-4).
        (NEW_YORK, local(NEW_YORK, 2025, 1, 2, 1, 30), 10, utc(2025, 11, 2, 5, 30)),
        # Berlin repeats 02:00-03:00 on 2025-10-26; the first 02:30 is CEST (UTC+2).
        (BERLIN, local(BERLIN, 2025, 1, 26, 2, 30), 9, utc(2025, 10, 26, 0, 30)),
        # Sydney repeats 02:00-03:00 on 2025-04-06; the first 02:30 is AEDT (UTC+11).
        (SYDNEY, local(SYDNEY, 2025, 1, 6, 2, 30), 3, utc(2025, 4, 5, 15, 30)),
    ],
)
def test_a_wall_time_that_happens_twice_takes_its_first_occurrence(
    zone: str, started: datetime, fold_index: int, expected: datetime
) -> None:
    period = period_at(started, zone, MONTHLY, fold_index)

    assert period.start == expected
    wall = period.start.astimezone(ZoneInfo(zone))
    assert (wall.day, wall.time(), wall.fold) == (started.day, started.time(), 0)


def test_a_subscription_started_in_the_second_occurrence_starts_then() -> None:
    second = local(NEW_YORK, 2025, 11, 2, 1, 30, fold=1)  # EST, UTC-5

    first = period_at(second, NEW_YORK, MONTHLY, 0)

    assert first.start == utc(2025, 11, 2, 6, 30)
    assert first.end == utc(2025, 12, 2, 6, 30)


def test_a_period_spanning_a_clock_change_is_an_hour_shorter_or_longer() -> None:
    march = period_at(local(BERLIN, 2026, 3, 15), BERLIN, MONTHLY, 0)
    october = period_at(local(BERLIN, 2026, 10, 15), BERLIN, MONTHLY, 0)

    assert march.end - march.start == timedelta(days=31, hours=-1)
    assert october.end - october.start == timedelta(days=31, hours=1)


def test_a_customers_local_boundary_can_fall_on_another_utc_date() -> None:
    # Midnight on the 1st in Auckland (UTC+13 in summer) is still the previous day in UTC.
    zone = "Pacific/Auckland"
    started = local(zone, 2026, 1, 1)

    february = period_at(started, zone, MONTHLY, 1)

    assert february.start == utc(2026, 1, 31, 11, 0)
    assert february.end == utc(2026, 2, 28, 11, 0)


def test_two_instants_in_one_local_period_give_one_period_even_on_different_utc_dates() -> None:
    # A Los Angeles customer's period starts at local midnight, 08:00 UTC: instants on either
    # side of UTC midnight are in the same local period, and one UTC date holds two periods.
    zone = "America/Los_Angeles"
    started = local(zone, 2026, 1, 1)

    late = period_containing(started, zone, MONTHLY, utc(2026, 1, 31, 23, 30))
    early_next_utc_day = period_containing(started, zone, MONTHLY, utc(2026, 2, 1, 7, 59, 59))
    after_local_midnight = period_containing(started, zone, MONTHLY, utc(2026, 2, 1, 8, 0))

    assert late == early_next_utc_day
    assert late[0] == 0
    assert after_local_midnight[0] == 1
    assert after_local_midnight[1].start == utc(2026, 2, 1, 8, 0)


def test_every_instant_finds_the_period_whose_bounds_hold_it() -> None:
    rng = random.Random(20260312)
    zones = [BERLIN, NEW_YORK, SYDNEY, "Asia/Kolkata", "Pacific/Chatham", "UTC"]
    for _ in range(300):
        zone = rng.choice(zones)
        cycle = rng.choice([MONTHLY, YEARLY])
        started = utc(2024, 1, 1) + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        at = started + timedelta(seconds=rng.randrange(4 * 365 * 86400))

        index, period = period_containing(started, zone, cycle, at)

        assert period.start <= at < period.end
        assert period == period_at(started, zone, cycle, index)


def test_a_boundary_instant_belongs_to_the_period_it_starts() -> None:
    started = utc(2026, 1, 31, 10)
    second = period_at(started, "UTC", MONTHLY, 1)

    assert period_containing(started, "UTC", MONTHLY, second.start) == (1, second)
    assert (
        period_containing(started, "UTC", MONTHLY, second.start - timedelta(microseconds=1))[0] == 0
    )
    assert period_containing(started, "UTC", MONTHLY, started) == (
        0,
        period_at(started, "UTC", MONTHLY, 0),
    )


def test_next_period_is_computed_from_the_anchor_not_chained() -> None:
    started = utc(2026, 1, 31, 10)
    january = period_at(started, "UTC", MONTHLY, 0)

    february = next_period(january, started, "UTC", MONTHLY)
    march = next_period(february, started, "UTC", MONTHLY)

    assert february == Period(start=utc(2026, 2, 28, 10), end=utc(2026, 3, 31, 10))
    assert march == Period(start=utc(2026, 3, 31, 10), end=utc(2026, 4, 30, 10))


def test_instants_before_the_start_and_naive_datetimes_are_refused() -> None:
    started = utc(2026, 1, 1)

    with pytest.raises(ValueError, match="before"):
        period_containing(started, "UTC", MONTHLY, started - timedelta(seconds=1))
    with pytest.raises(ValueError, match="aware"):
        period_at(datetime(2026, 1, 1), "UTC", MONTHLY, 0)
    with pytest.raises(ValueError, match="index"):
        period_at(started, "UTC", MONTHLY, -1)


@pytest.mark.parametrize("name", ["Europe/Berlin", "UTC", "America/Argentina/Buenos_Aires"])
def test_iana_zones_are_valid(name: str) -> None:
    assert valid_timezone(name)


@pytest.mark.parametrize(
    "name", ["", "Mars/Olympus", "europe/berlin", "America", "../etc/passwd", "localtime", "CET+1"]
)
def test_other_names_are_not_zones(name: str) -> None:
    assert not valid_timezone(name)
    with pytest.raises(TimezoneError):
        period_at(utc(2026, 1, 1), name, MONTHLY, 0)
