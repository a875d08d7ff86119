"""The invoice PDF: what a customer reads on it, and the same bytes on every render."""

import re
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from hostplane.contracts.billing import Address, InvoiceLine, InvoiceLineKind
from hostplane.gateway.adapters.invoice_pdf import latin_1, money, percent, render_invoice_pdf
from hostplane.gateway.application.mpanel.readmodels import CustomerRow, InvoiceRow, TenantRow

TENANT_ID = UUID("0b7f7e4c-5a8e-4c1e-9d49-6a3c1e0f2a10")
CUSTOMER_ID = UUID("5d0c6b1e-2f3a-4b5c-8d7e-9f0a1b2c3d4e")
ISSUED = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)  # 1 April in Berlin

TENANT = TenantRow(id=TENANT_ID, name="Acme Hosting GmbH", status="active", created_at=ISSUED)
CUSTOMER = CustomerRow(
    id=CUSTOMER_ID,
    tenant_id=TENANT_ID,
    name="Zoë Müller",
    email="zoe@example.com",
    phone="",
    address=Address(line1="Hauptstraße 1", city="Berlin", postal_code="10115", country="de"),
    timezone="Europe/Berlin",
    status="active",
    stripe_customer_id=None,
    default_payment_method=None,
    created_at=ISSUED,
)
LINES = [
    InvoiceLine(description="CloudPod M (monthly)", quantity=2, unit_amount=1999, amount=3998),
    InvoiceLine(
        description="Coupon LAUNCH (10%)",
        quantity=1,
        unit_amount=-400,
        amount=-400,
        kind=InvoiceLineKind.DISCOUNT,
    ),
]
INVOICE = InvoiceRow(
    id=UUID("7a1d1c9e-8b2f-4e3a-9c5d-1e2f3a4b5c6d"),
    tenant_id=TENANT_ID,
    customer_id=CUSTOMER_ID,
    status="unpaid",
    number="INV-2025-000042",
    currency="EUR",
    lines=LINES,
    subtotal=3598,
    tax=684,
    tax_rate_bp=1900,
    tax_country="DE",
    total=4282,
    amount_paid=0,
    amount_refunded=0,
    order_id=None,
    subscription_id=None,
    period_start=ISSUED,
    period_end=ISSUED + timedelta(days=30),
    issued_at=ISSUED,
    due_at=ISSUED + timedelta(days=14),
    paid_at=None,
    credit_note_number=None,
    checkout_session_id=None,
    checkout_url=None,
    created_at=ISSUED,
    updated_at=ISSUED,
)


def render(invoice: InvoiceRow = INVOICE, customer: CustomerRow = CUSTOMER) -> bytes:
    return render_invoice_pdf(invoice, customer, TENANT)


def shown_text(pdf: bytes) -> str:
    """The strings the pages draw, read out of the (deflated) content streams."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        for text in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content):
            shown.append(re.sub(rb"\\(.)", rb"\1", text).decode("latin-1"))
    return "\n".join(shown)


def test_a_render_is_a_pdf_document() -> None:
    assert render().startswith(b"%PDF-")
    assert render().rstrip().endswith(b"%%EOF")


def test_the_same_invoice_gives_the_same_bytes_every_time() -> None:
    assert render() == render()


def test_nothing_in_the_file_comes_from_the_clock() -> None:
    pdf = render()

    assert b"/CreationDate (D:20250331233000Z)" in pdf
    assert f"D:{datetime.now(UTC):%Y%m%d}".encode() not in pdf
    assert b"/Producer (Hostplane)" in pdf


def test_a_different_invoice_gives_a_different_file() -> None:
    assert render(replace(INVOICE, number="INV-2025-000043")) != render()
    assert render(replace(INVOICE, status="paid", paid_at=ISSUED, amount_paid=4282)) != render()


def test_the_customer_reads_the_invoice_on_it() -> None:
    text = shown_text(render())

    for expected in [
        "Acme Hosting GmbH",
        "Invoice INV-2025-000042",
        "Status: UNPAID",
        "Zoë Müller",
        "zoe@example.com",
        "Hauptstraße 1",
        "10115 Berlin",
        "DE",
        "CloudPod M (monthly)",
        "19.99 EUR",
        "39.98 EUR",
        "Coupon LAUNCH (10%)",
        "-4.00 EUR",
        "Subtotal",
        "35.98 EUR",
        "Tax (19%, DE)",
        "6.84 EUR",
        "Total",
        "42.82 EUR",
    ]:
        assert expected in text, expected


def test_dates_are_the_customers_local_dates() -> None:
    text = shown_text(render())

    assert "2025-04-01" in text  # issued 23:30 UTC on 31 March, midnight past in Berlin
    assert "2025-04-15" in text  # due
    assert "2025-03-31" not in text


def test_a_draft_has_no_number_yet() -> None:
    text = shown_text(render(replace(INVOICE, number=None, status="draft", issued_at=None)))

    assert "Invoice DRAFT" in text
    assert "Status: DRAFT" in text


def test_a_paid_invoice_shows_when_and_how_much() -> None:
    paid = replace(INVOICE, status="paid", paid_at=ISSUED + timedelta(days=2), amount_paid=4282)

    text = shown_text(render(paid))

    assert "Status: PAID" in text
    assert "2025-04-03" in text
    assert "Amount paid" in text


def test_amounts_follow_their_currencys_decimals() -> None:
    yen = replace(
        INVOICE,
        currency="JPY",
        lines=[InvoiceLine(description="CloudPod S", quantity=1, unit_amount=1480, amount=1480)],
        subtotal=1480,
        tax=148,
        tax_rate_bp=1000,
        tax_country="JP",
        total=1628,
    )

    text = shown_text(render(yen))

    assert "1,480 JPY" in text
    assert "Tax (10%, JP)" in text
    assert "1,628 JPY" in text


def test_text_outside_latin_1_is_folded_not_fatal() -> None:
    customer = replace(CUSTOMER, name="Łukasz Żółć — 山田", timezone="Not/AZone")

    text = shown_text(render(customer=customer))

    assert "Lukasz Zólc - ??" in text


def test_a_long_invoice_runs_over_pages_and_stays_deterministic() -> None:
    lines = [
        InvoiceLine(description=f"Add-on {n} " * 8, quantity=1, unit_amount=100, amount=100)
        for n in range(80)
    ]
    long = replace(INVOICE, lines=lines, subtotal=8000, tax=1520, total=9520)

    pdf = render(long)

    assert pdf == render(long)
    assert pdf.count(b"/Type /Page\n") > 1
    assert "95.20 EUR" in shown_text(pdf)


@pytest.mark.parametrize(
    ("basis_points", "shown"),
    [(1900, "19%"), (810, "8.1%"), (2550, "25.5%"), (0, "0%"), (5, "0.05%"), (10_000, "100%")],
)
def test_rates_print_as_percentages(basis_points: int, shown: str) -> None:
    assert percent(basis_points) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (999, "EUR", "9.99 EUR"),
        (-200, "eur", "-2.00 EUR"),
        (123456789, "USD", "1,234,567.89 USD"),
        (1480, "JPY", "1,480 JPY"),
        (1234, "KWD", "1.234 KWD"),
        (0, "EUR", "0.00 EUR"),
    ],
)
def test_amounts_print_as_decimals_with_their_currency(
    amount: int, currency: str, shown: str
) -> None:
    assert money(amount, currency) == shown


def test_latin_1_keeps_what_it_can() -> None:
    assert latin_1("Café “Zürich” \u2013 10 € … Straße") == 'Café "Zürich" - 10 EUR ... Straße'
    assert latin_1("Škoda Łódź") == "Skoda Lódz"
    assert latin_1("日本") == "??"


def test_a_long_issuer_name_is_set_smaller_to_fit_beside_the_number() -> None:
    tenant = replace(TENANT, name="The Very Long Name of a Hosting Company International Ltd")

    text = shown_text(render_invoice_pdf(INVOICE, CUSTOMER, tenant))

    assert "The Very Long Name of a Hosting Company International Ltd" in text
    assert "Invoice INV-2025-000042" in text
