"""Proration: what a plan change inside a period costs or credits.

The rule: on a plan change at instant t inside the period [s, e), the customer is credited the
unused part of the old price and charged the unused part of the new price, both by the second:

    delta = round_half_up((new_price - old_price) * (e - t) / (e - s))

with e - t and e - s in whole seconds of real (UTC) time, so a period that spans a clock
change is an hour shorter or longer, and ties round away from zero, so a change and its exact
reverse mirror each other. A positive delta is invoiced at once as a PRORATION line. A negative
delta is a credit, carried as a negative PRORATION line on the next renewal invoice, never a
cash refund; a credit larger than that invoice's charges takes them to zero and the rest
carries on to the renewal after (`apply_credit`). A change at t = s is a full swap (delta is
the whole difference); at t >= e nothing is owed either way (delta 0), since the new price
applies from the next renewal.
"""

from datetime import datetime, timedelta

from hostplane.billing.domain.pricing import divide_half_up
from hostplane.contracts.billing import InvoiceLine, InvoiceLineKind, Period

_SECOND = timedelta(seconds=1)


def prorate(old_amount: int, new_amount: int, period: Period, at: datetime) -> int:
    """What changing from `old_amount` to `new_amount` at `at` owes (> 0) or credits (< 0)."""
    if at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    length = (period.end - period.start) // _SECOND
    if length <= 0:
        raise ValueError("a period must end after it starts")
    if at >= period.end:
        return 0
    unused = length if at <= period.start else (period.end - at) // _SECOND
    return divide_half_up((new_amount - old_amount) * unused, length)


def proration_line(description: str, delta: int) -> InvoiceLine:
    """A PRORATION line for `delta`: a charge when positive, a carried credit when negative."""
    return InvoiceLine(
        description=description,
        quantity=1,
        unit_amount=delta,
        amount=delta,
        kind=InvoiceLineKind.PRORATION,
    )


def apply_credit(credit: int, charges: int) -> tuple[int, int]:
    """Split a carried `credit` (<= 0) against an invoice's `charges` (>= 0): (used, carried on).

    The used part goes on the invoice as a negative PRORATION line, so its subtotal is never
    below zero; the rest waits for the next renewal.
    """
    if credit > 0 or charges < 0:
        raise ValueError("a credit is 0 or less and charges are 0 or more")
    used = max(credit, -charges)
    return used, credit - used
