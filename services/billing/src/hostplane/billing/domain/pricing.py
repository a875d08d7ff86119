"""Pricing an invoice: lines, a coupon's discount, tax, totals — integers in minor units.

The rules an invoice keeps, whatever produced its lines:

- The discount is a line of its own (`InvoiceLineKind.DISCOUNT`, quantity 1, negative), so the
  lines always sum to the subtotal and a PDF or a refund never recomputes anything.
- A discount applies to what the other lines add up to (items, less any proration credit): a
  percent of it rounded half-up to the minor unit, or a fixed amount capped at it. The subtotal
  is therefore never negative, and a discount never turns into money owed to the customer.
- Tax is the subtotal times the rate in basis points, rounded half-up once, on the whole
  subtotal (never per line, which would drift by a cent on many-line invoices).

Rounding is integer arithmetic throughout: a float never holds an amount.
"""

from dataclasses import dataclass

from hostplane.contracts.billing import CouponKind, InvoiceLine, InvoiceLineKind

BASIS_POINTS = 10_000


class PricingError(ValueError):
    """Inputs no invoice can be priced from; `code` is the error code the API answers."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Discount:
    """A coupon as pricing sees it: a percent (1-100) or a fixed amount in minor units."""

    kind: CouponKind
    value: int
    currency: str | None  # a fixed discount's currency; None for a percent
    code: str | None = None  # the coupon code, named on the discount line


@dataclass(frozen=True)
class Totals:
    lines: list[InvoiceLine]  # the given lines, then the discount line if any
    subtotal: int
    tax: int
    tax_rate_bp: int
    total: int


def divide_half_up(numerator: int, denominator: int) -> int:
    """`numerator / denominator` rounded to an integer, ties away from zero (2.5 → 3, -2.5 → -3).

    Symmetric around zero, so an amount and its negation round to negations of each other
    (an upgrade's proration and the reverse downgrade's credit mirror each other exactly).
    """
    if denominator <= 0:
        raise ValueError("the denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def line(
    description: str, quantity: int, unit_amount: int, product_id: str | None = None
) -> InvoiceLine:
    """An item line: `amount` is `quantity` * `unit_amount`."""
    if quantity < 1:
        raise PricingError("LINE_INVALID", f"quantity must be at least 1, not {quantity}")
    if unit_amount < 0:
        raise PricingError("LINE_INVALID", f"an item cannot cost {unit_amount}")
    return InvoiceLine(
        description=description,
        quantity=quantity,
        unit_amount=unit_amount,
        amount=quantity * unit_amount,
        kind=InvoiceLineKind.ITEM,
        product_id=product_id,
    )


def price(
    lines: list[InvoiceLine], currency: str, discount: Discount | None, tax_rate_bp: int
) -> Totals:
    """Price `lines` in `currency`: the discount's line, the subtotal, the tax and the total."""
    if not 0 <= tax_rate_bp <= BASIS_POINTS:
        raise PricingError("TAX_RATE_INVALID", f"a tax rate of {tax_rate_bp} bp is not a rate")
    for each in lines:
        if each.amount != each.quantity * each.unit_amount:
            raise PricingError(
                "LINE_AMOUNT_MISMATCH",
                f"{each.description!r}: {each.quantity} * {each.unit_amount} is not {each.amount}",
            )
    charged = sum(each.amount for each in lines)
    if charged < 0:
        # A credit larger than the charges is carried to a later invoice
        # (`proration.apply_credit`), never paid out by an invoice.
        raise PricingError("NEGATIVE_SUBTOTAL", f"the lines add up to {charged}")
    priced = list(lines)
    if discount is not None:
        off = discount_amount(discount, charged, currency)
        if off:
            priced.append(_discount_line(discount, off))
    subtotal = sum(each.amount for each in priced)
    tax = divide_half_up(subtotal * tax_rate_bp, BASIS_POINTS)
    return Totals(
        lines=priced, subtotal=subtotal, tax=tax, tax_rate_bp=tax_rate_bp, total=subtotal + tax
    )


def discount_amount(discount: Discount, base: int, currency: str) -> int:
    """How much `discount` takes off `base` (≥ 0, never more than `base`)."""
    if discount.kind is CouponKind.PERCENT:
        if not 1 <= discount.value <= 100:
            raise PricingError("COUPON_INVALID", f"{discount.value}% is not a discount")
        return divide_half_up(base * discount.value, 100)
    if discount.value < 1:
        raise PricingError("COUPON_INVALID", f"a fixed discount of {discount.value}")
    if discount.currency is None or discount.currency.upper() != currency.upper():
        raise PricingError(
            "COUPON_CURRENCY_MISMATCH",
            f"a discount in {discount.currency} cannot apply to an invoice in {currency}",
        )
    return min(discount.value, base)


def _discount_line(discount: Discount, off: int) -> InvoiceLine:
    what = f"{discount.value}%" if discount.kind is CouponKind.PERCENT else "fixed"
    named = f"Coupon {discount.code}" if discount.code else "Discount"
    return InvoiceLine(
        description=f"{named} ({what})",
        quantity=1,
        unit_amount=-off,
        amount=-off,
        kind=InvoiceLineKind.DISCOUNT,
    )
