"""Pricing an invoice: integer money, half-up rounding, discounts as lines, tax once."""

import random
from decimal import Decimal

import pytest

from hostplane.billing.domain.pricing import (
    Discount,
    PricingError,
    Totals,
    divide_half_up,
    line,
    price,
)
from hostplane.contracts.billing import CouponKind, InvoiceLine, InvoiceLineKind
from hostplane.contracts.money import to_major, to_minor

PERCENT, FIXED = CouponKind.PERCENT, CouponKind.FIXED


def percent(value: int) -> Discount:
    return Discount(PERCENT, value, None)


def fixed(value: int, currency: str = "EUR") -> Discount:
    return Discount(FIXED, value, currency)


def assert_consistent(totals: Totals) -> None:
    assert sum(each.amount for each in totals.lines) == totals.subtotal
    assert totals.subtotal >= 0
    assert totals.total == totals.subtotal + totals.tax
    for each in totals.lines:
        assert each.amount == each.quantity * each.unit_amount


# Rounding


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (5, 2, 3),
        (-5, 2, -3),
        (4, 2, 2),
        (7, 3, 2),
        (8, 3, 3),
        (-7, 3, -2),
        (-8, 3, -3),
        (0, 7, 0),
        (149, 100, 1),
        (150, 100, 2),
        (-150, 100, -2),
        (10**30 + 1, 2, 10**30 // 2 + 1),
    ],
)
def test_division_rounds_half_up_away_from_zero(
    numerator: int, denominator: int, expected: int
) -> None:
    assert divide_half_up(numerator, denominator) == expected


def test_half_up_division_agrees_with_decimal_on_many_inputs() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        numerator = rng.randrange(-(10**9), 10**9)
        denominator = rng.randrange(1, 10**5)
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(
            Decimal(1), rounding="ROUND_HALF_UP"
        )
        assert divide_half_up(numerator, denominator) == int(expected)


def test_division_by_zero_or_a_negative_is_refused() -> None:
    with pytest.raises(ValueError, match="denominator"):
        divide_half_up(1, 0)
    with pytest.raises(ValueError, match="denominator"):
        divide_half_up(1, -3)


# Lines and totals


def test_an_item_line_is_quantity_times_unit_amount() -> None:
    item = line("CloudPod M", 3, 999, product_id="prod-1")

    assert item == InvoiceLine(
        description="CloudPod M",
        quantity=3,
        unit_amount=999,
        amount=2997,
        kind=InvoiceLineKind.ITEM,
        product_id="prod-1",
    )


@pytest.mark.parametrize(("quantity", "unit_amount"), [(0, 100), (-1, 100), (1, -1)])
def test_an_item_line_has_a_positive_quantity_and_no_negative_price(
    quantity: int, unit_amount: int
) -> None:
    with pytest.raises(PricingError) as refused:
        line("x", quantity, unit_amount)
    assert refused.value.code == "LINE_INVALID"


def test_without_a_discount_the_subtotal_is_the_lines_and_tax_is_added() -> None:
    lines = [line("CloudPod S", 1, 999), line("Backups", 2, 250)]

    totals = price(lines, "EUR", None, 1900)

    assert totals == Totals(lines=lines, subtotal=1499, tax=285, tax_rate_bp=1900, total=1784)


def test_tax_rounds_half_up_on_the_whole_subtotal() -> None:
    # 1499 * 19 % = 284.81 -> 285; 50 * 21 % = 10.5 -> 11; 1 * 2550 bp = 0.255 -> 0.
    assert price([line("a", 1, 1499)], "EUR", None, 1900).tax == 285
    assert price([line("a", 1, 50)], "EUR", None, 2100).tax == 11
    assert price([line("a", 1, 1)], "EUR", None, 2550).tax == 0
    assert price([line("a", 1, 2)], "EUR", None, 2550).tax == 1  # 0.51


def test_tax_on_many_lines_is_not_the_sum_of_rounded_line_taxes() -> None:
    lines = [line(f"item {n}", 1, 5) for n in range(10)]  # 5 * 10 % = 0.5 each

    totals = price(lines, "EUR", None, 1000)

    assert totals.tax == 5  # 50 * 10 % once, not ten roundings of 0.5 up to 1
    assert totals.total == 55


def test_a_zero_rate_and_an_empty_invoice_price_to_zero_tax() -> None:
    assert price([line("a", 1, 999)], "USD", None, 0).tax == 0
    assert price([], "USD", percent(10), 1900) == Totals(
        lines=[], subtotal=0, tax=0, tax_rate_bp=1900, total=0
    )


@pytest.mark.parametrize("rate", [-1, 10_001])
def test_a_rate_outside_0_to_100_percent_is_refused(rate: int) -> None:
    with pytest.raises(PricingError) as refused:
        price([line("a", 1, 100)], "EUR", None, rate)
    assert refused.value.code == "TAX_RATE_INVALID"


def test_a_line_whose_amount_is_not_its_product_is_refused() -> None:
    wrong = InvoiceLine(description="x", quantity=2, unit_amount=100, amount=150)

    with pytest.raises(PricingError) as refused:
        price([wrong], "EUR", None, 0)
    assert refused.value.code == "LINE_AMOUNT_MISMATCH"


# Currencies with 0 and 3 decimals


def test_yen_prices_in_whole_yen() -> None:
    lines = [line("CloudPod S", 1, to_minor("1480", "JPY"))]

    totals = price(lines, "JPY", percent(15), 1000)

    assert totals.subtotal == 1258  # 1480 - 222 (15 % = 222.0)
    assert totals.tax == 126  # 125.8 -> 126
    assert to_major(totals.total, "JPY") == Decimal("1384")


def test_dinar_prices_in_fils() -> None:
    lines = [line("CloudPod S", 1, to_minor("3.125", "KWD"))]

    totals = price(lines, "KWD", percent(10), 500)

    assert totals.lines[-1].amount == -313  # 312.5 -> 313
    assert totals.subtotal == 2812
    assert totals.tax == 141  # 140.6 -> 141
    assert to_major(totals.total, "KWD") == Decimal("2.953")


def test_money_crosses_the_edge_exactly() -> None:
    assert to_minor("9.99", "USD") == 999
    assert to_major(999, "USD") == Decimal("9.99")
    assert to_minor(1000, "JPY") == 1000
    assert to_major(1234, "BHD") == Decimal("1.234")


# Discounts


def test_a_percent_discount_is_its_own_negative_line() -> None:
    totals = price([line("CloudPod M", 1, 2000)], "EUR", percent(25), 0)

    assert totals.lines[-1] == InvoiceLine(
        description="Discount (25%)",
        quantity=1,
        unit_amount=-500,
        amount=-500,
        kind=InvoiceLineKind.DISCOUNT,
    )
    assert totals.subtotal == 1500


def test_a_percent_discount_rounds_half_up_to_the_minor_unit() -> None:
    assert price([line("a", 1, 999)], "EUR", percent(10), 0).subtotal == 899  # 99.9 -> 100
    assert price([line("a", 1, 25)], "EUR", percent(10), 0).subtotal == 22  # 2.5 -> 3
    assert price([line("a", 1, 24)], "EUR", percent(10), 0).subtotal == 22  # 2.4 -> 2


def test_a_hundred_percent_discount_makes_the_invoice_free() -> None:
    totals = price([line("a", 2, 999)], "EUR", percent(100), 1900)

    assert (totals.subtotal, totals.tax, totals.total) == (0, 0, 0)


def test_a_discount_names_its_coupon() -> None:
    totals = price([line("a", 1, 1000)], "EUR", Discount(PERCENT, 10, None, code="LAUNCH"), 0)

    assert totals.lines[-1].description == "Coupon LAUNCH (10%)"


def test_a_fixed_discount_in_the_invoices_currency_comes_off() -> None:
    totals = price([line("a", 1, 1000)], "EUR", fixed(300), 1900)

    assert totals.lines[-1].amount == -300
    assert (totals.subtotal, totals.tax, totals.total) == (700, 133, 833)


def test_a_fixed_discount_never_exceeds_the_charges() -> None:
    totals = price([line("a", 1, 400), line("b", 1, 100)], "EUR", fixed(2000), 1900)

    assert totals.lines[-1].amount == -500
    assert (totals.subtotal, totals.tax, totals.total) == (0, 0, 0)


def test_a_fixed_discount_currency_is_compared_in_any_case() -> None:
    assert price([line("a", 1, 1000)], "EUR", fixed(100, "eur"), 0).subtotal == 900


@pytest.mark.parametrize("currency", ["USD", None])
def test_a_fixed_discount_in_another_currency_is_refused(currency: str | None) -> None:
    with pytest.raises(PricingError) as refused:
        price([line("a", 1, 1000)], "EUR", Discount(FIXED, 100, currency), 0)
    assert refused.value.code == "COUPON_CURRENCY_MISMATCH"


@pytest.mark.parametrize("discount", [percent(0), percent(101), percent(-5), fixed(0), fixed(-1)])
def test_a_discount_outside_its_range_is_refused(discount: Discount) -> None:
    with pytest.raises(PricingError) as refused:
        price([line("a", 1, 1000)], "EUR", discount, 0)
    assert refused.value.code == "COUPON_INVALID"


def test_a_discount_that_rounds_to_nothing_adds_no_line() -> None:
    lines = [line("a", 1, 4)]

    totals = price(lines, "EUR", percent(10), 0)  # 0.4 -> 0

    assert totals.lines == lines


def test_a_discount_applies_after_a_proration_credit() -> None:
    credit = InvoiceLine(
        description="Credit",
        quantity=1,
        unit_amount=-400,
        amount=-400,
        kind=InvoiceLineKind.PRORATION,
    )

    totals = price([line("a", 1, 1000), credit], "EUR", fixed(1000), 0)

    assert totals.lines[-1].amount == -600
    assert totals.subtotal == 0


def test_credits_beyond_the_charges_are_refused_rather_than_owed_to_the_customer() -> None:
    credit = InvoiceLine(
        description="Credit",
        quantity=1,
        unit_amount=-1500,
        amount=-1500,
        kind=InvoiceLineKind.PRORATION,
    )

    with pytest.raises(PricingError) as refused:
        price([line("a", 1, 1000), credit], "EUR", None, 0)
    assert refused.value.code == "NEGATIVE_SUBTOTAL"


def test_lines_always_sum_to_a_non_negative_subtotal_over_many_invoices() -> None:
    rng = random.Random(12)
    for _ in range(3000):
        currency = rng.choice(["EUR", "JPY", "KWD"])
        lines = [
            line(f"item {n}", rng.randint(1, 20), rng.randint(0, 100_000))
            for n in range(rng.randint(0, 6))
        ]
        discount = rng.choice(
            [
                None,
                percent(rng.randint(1, 100)),
                fixed(rng.randint(1, 500_000), currency),
            ]
        )
        rate = rng.choice([0, 500, 810, 1900, 2100, 2550, 2700])

        totals = price(lines, currency, discount, rate)

        assert_consistent(totals)
        assert totals.lines[: len(lines)] == lines
        charged = sum(each.amount for each in lines)
        assert totals.subtotal <= charged
        exact_tax = Decimal(totals.subtotal) * rate / 10_000
        assert abs(Decimal(totals.tax) - exact_tax) <= Decimal("0.5")
