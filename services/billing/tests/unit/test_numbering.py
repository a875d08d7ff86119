"""Invoice and credit-note numbers as customers read them."""

from uuid import UUID

import pytest

from hostplane.billing.domain.numbering import credit_note_number, invoice_number, series_key

TENANT = UUID("6f1c2a57-3a0e-4d7a-9a51-2f0d7f3c1e11")


def test_invoice_numbers_pad_the_sequence_to_six_digits() -> None:
    assert invoice_number("INV", 2026, 42) == "INV-2026-000042"
    assert invoice_number("INV", 2027, 1) == "INV-2027-000001"


def test_credit_note_numbers_have_their_own_prefix() -> None:
    assert credit_note_number("CN", 2026, 1) == "CN-2026-000001"


def test_an_empty_prefix_takes_the_default() -> None:
    assert invoice_number("", 2026, 7) == "INV-2026-000007"
    assert credit_note_number("", 2026, 7) == "CN-2026-000007"


def test_a_tenant_prefix_is_kept_as_given() -> None:
    assert invoice_number("ACME", 2026, 123456) == "ACME-2026-123456"
    assert invoice_number("acme-eu", 2026, 5) == "acme-eu-2026-000005"


def test_a_series_past_a_million_grows_a_digit() -> None:
    assert invoice_number("INV", 2026, 1_000_000) == "INV-2026-1000000"


@pytest.mark.parametrize(
    ("prefix", "year", "sequence"),
    [
        ("INV", 2026, 0),
        ("INV", 2026, -1),
        ("INV", 26, 1),
        ("INV", 20260, 1),
        ("IN V", 2026, 1),
        ("-INV", 2026, 1),
        ("INV/", 2026, 1),
        ("X" * 17, 2026, 1),
    ],
)
def test_numbers_that_would_not_read_right_are_refused(
    prefix: str, year: int, sequence: int
) -> None:
    with pytest.raises(ValueError):
        invoice_number(prefix, year, sequence)


def test_a_series_is_one_per_tenant_kind_and_year() -> None:
    assert series_key(TENANT, 2026, "invoice") == f"{TENANT}:invoice:2026"
    keys = {
        series_key(TENANT, 2026, "invoice"),
        series_key(TENANT, 2027, "invoice"),
        series_key(TENANT, 2026, "credit_note"),
        series_key(UUID(int=1), 2026, "invoice"),
    }
    assert len(keys) == 4


@pytest.mark.parametrize("kind", ["", "Invoice", "in:voice", "credit note"])
def test_a_series_kind_is_a_plain_name(kind: str) -> None:
    with pytest.raises(ValueError):
        series_key(TENANT, 2026, kind)
