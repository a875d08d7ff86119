"""Billing periods, in the customer's time zone.

A subscription's periods are cut at the same local wall time on the same day of the month as
its start (its anchor), in the customer's zone, and every boundary is computed from that
anchor — never by adding a month to the previous boundary, which would drift: started on
Jan 31, it renews on Feb 28 (29 in leap years), then Mar 31, Apr 30; yearly from Feb 29, on
Feb 28 in common years and Feb 29 again in leap years.

The local wall time holds across daylight-saving changes (a period starting 00:30 local keeps
starting 00:30 local). A wall time the clocks skip (spring forward) moves forward to the
first instant that exists, the transition itself (02:30 in Berlin's gap → 03:00 CEST); one
that happens twice (fall back) is its first occurrence (`fold=0`).

Periods are half-open, `[start, end)`, in UTC. The period an instant belongs to is found by
comparing instants, never dates: an invoice run at 23:30 UTC for a customer in Auckland
belongs to the customer's next local day, and two instants in one local period always give
one period (an invoice per period, not per UTC date).
"""

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hostplane.contracts.billing import BillingCycle, Period

_MONTHS_PER_PERIOD = {BillingCycle.MONTHLY: 1, BillingCycle.YEARLY: 12}

# Names that zoneinfo loads but that are not a place's time: the host's own zone, and tzdata's
# "Factory" placeholder.
_NOT_ZONES = frozenset({"localtime", "Factory"})

_SECOND = timedelta(seconds=1)


class TimezoneError(ValueError):
    """A time zone name that is not an IANA zone."""


def valid_timezone(name: str) -> bool:
    """Whether `name` is an IANA zone ("Europe/Berlin", "UTC"); names are case-sensitive."""
    try:
        _zone(name)
    except TimezoneError:
        return False
    return True


def period_at(starts_at: datetime, timezone: str, cycle: BillingCycle, index: int) -> Period:
    """Period `index` (0 = the first) of a subscription that started at `starts_at`."""
    _require_aware(starts_at, "starts_at")
    if index < 0:
        raise ValueError(f"a period index is 0 or more, not {index}")
    zone = _zone(timezone)
    anchor = starts_at.astimezone(zone).replace(tzinfo=None)
    step = _MONTHS_PER_PERIOD[cycle]
    # Period 0 starts at the subscription's own instant, even when that is the second
    # occurrence of an ambiguous wall time, which the boundary rule would not pick.
    start = starts_at.astimezone(UTC) if index == 0 else _boundary(anchor, zone, index * step)
    return Period(start=start, end=_boundary(anchor, zone, (index + 1) * step))


def period_containing(
    starts_at: datetime, timezone: str, cycle: BillingCycle, at: datetime
) -> tuple[int, Period]:
    """The index and period that instant `at` (not before `starts_at`) falls in."""
    _require_aware(starts_at, "starts_at")
    _require_aware(at, "at")
    if at < starts_at:
        raise ValueError(f"{at.isoformat()} is before the subscription starts")
    zone = _zone(timezone)
    anchor = starts_at.astimezone(zone)
    local = at.astimezone(zone)
    months = (local.year - anchor.year) * 12 + local.month - anchor.month
    # The estimate by calendar months is off by at most one period either way.
    index = max(0, months // _MONTHS_PER_PERIOD[cycle])
    period = period_at(starts_at, timezone, cycle, index)
    while at < period.start:
        index -= 1
        period = period_at(starts_at, timezone, cycle, index)
    while at >= period.end:
        index += 1
        period = period_at(starts_at, timezone, cycle, index)
    return index, period


def next_period(current: Period, starts_at: datetime, timezone: str, cycle: BillingCycle) -> Period:
    """The period that begins where `current` ends.

    Index-based, not chained: it is the subscription's period in force at `current.end`,
    computed from the anchor, so a Feb 28 boundary is followed by Mar 31 for a subscription
    started on a 31st.
    """
    return period_containing(starts_at, timezone, cycle, current.end)[1]


def _zone(name: str) -> ZoneInfo:
    if name in _NOT_ZONES:
        raise TimezoneError(f"{name!r} is not a time zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise TimezoneError(f"{name!r} is not a time zone") from error


def _require_aware(value: datetime, name: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _boundary(anchor: datetime, zone: ZoneInfo, months: int) -> datetime:
    """The anchor's wall time `months` calendar months later, as a UTC instant."""
    month_index = anchor.month - 1 + months
    year, month = anchor.year + month_index // 12, month_index % 12 + 1
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    return _instant(anchor.replace(year=year, month=month, day=day), zone)


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: the first occurrence, or the end of a gap."""
    earlier = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if earlier.astimezone(zone).replace(tzinfo=None) == wall:
        return earlier
    # In a gap, fold=0 reads the wall time with the offset before the transition (an instant
    # after it) and fold=1 with the offset after it (an instant before it).
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _transition(before, earlier, zone)


def _transition(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first whole second in `(before, after]` with `after`'s UTC offset."""
    offset = after.astimezone(zone).utcoffset()
    low = before.replace(microsecond=0)
    high = after.replace(microsecond=0) + (_SECOND if after.microsecond else timedelta(0))
    while high - low > _SECOND:
        middle = low + (high - low) // _SECOND // 2 * _SECOND
        if middle.astimezone(zone).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return high
