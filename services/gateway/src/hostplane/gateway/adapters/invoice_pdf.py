"""An invoice as a PDF, rendered from the read model's rows.

Deterministic: one invoice gives the same bytes on every render, so a download can be cached,
compared or hashed. Nothing in the file comes from the clock or chance: the creation date is
the invoice's own, fpdf2's document /ID is a hash of the content and that date, and the
producer is fixed rather than fpdf2's versioned name (a library upgrade alone would otherwise
change every file).

The PDF core fonts (Helvetica) only write latin-1, so text is folded into it first: accents
outside it lose their accent, common typography becomes its ASCII look-alike, and anything
else becomes "?" rather than failing the render.
"""

import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fpdf import FPDF
from fpdf.fonts import FontFace

from hostplane.contracts.billing import Address, InvoiceLine
from hostplane.contracts.money import to_major
from hostplane.gateway.application.mpanel.readmodels import CustomerRow, InvoiceRow, TenantRow

PRODUCER = "Hostplane"
_FONT = "Helvetica"
# Description, quantity, unit price, amount: the 180 mm between A4's 15 mm margins.
_COLUMNS = (96, 14, 35, 35)
_LATIN_1_LOOKALIKES = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2026": "...",
        "\u2022": "*",
        "\u20ac": "EUR",
        "\u2122": "TM",
        # Letters whose Unicode decomposition keeps no latin-1 base.
        "\u0141": "L",
        "\u0142": "l",
        "\u0110": "D",
        "\u0111": "d",
        "\u0131": "i",
        "\u0152": "OE",
        "\u0153": "oe",
    }
)


class _InvoiceDocument(FPDF):
    """A4 pages whose footer names the invoice and the page."""

    def __init__(self, reference: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.reference = reference

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(_FONT, size=8)
        self.cell(0, 5, f"{self.reference} - page {self.page_no()}/{{nb}}", align="C")


def render_invoice_pdf(invoice: InvoiceRow, customer: CustomerRow, tenant: TenantRow) -> bytes:
    """The invoice as a PDF document: the same invoice always gives the same bytes."""
    number = invoice.number or "DRAFT"
    pdf = _InvoiceDocument(latin_1(f"{tenant.name} - invoice {number}"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title(latin_1(f"Invoice {number}"))
    pdf.set_author(latin_1(tenant.name))
    pdf.set_creator(PRODUCER)
    pdf.set_producer(PRODUCER)
    pdf.set_creation_date(_aware(invoice.issued_at or invoice.created_at))
    pdf.add_page()
    zone = _zone(customer.timezone)
    _heading(pdf, invoice, tenant, number)
    _dates(pdf, invoice, zone)
    _bill_to(pdf, customer)
    _lines(pdf, invoice.lines, invoice.currency)
    _totals(pdf, invoice)
    return bytes(pdf.output())


def latin_1(text: str) -> str:
    """`text` as the core fonts can write it (see the module docstring)."""
    folded = []
    for char in text.translate(_LATIN_1_LOOKALIKES):
        if ord(char) < 256:
            folded.append(char)
            continue
        base = "".join(
            part
            for part in unicodedata.normalize("NFKD", char)
            if ord(part) < 256 and not unicodedata.combining(part)
        )
        folded.append(base or "?")
    return "".join(folded)


def money(amount: int, currency: str) -> str:
    """999 EUR → "9.99 EUR"; 123456789 JPY → "123,456,789 JPY"."""
    return f"{to_major(amount, currency):,} {currency.upper()}"


def percent(basis_points: int) -> str:
    """1900 → "19%", 810 → "8.1%", 2550 → "25.5%"."""
    whole, fraction = divmod(basis_points, 100)
    return f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") + "%"


def _heading(pdf: FPDF, invoice: InvoiceRow, tenant: TenantRow, number: str) -> None:
    issuer = latin_1(tenant.name)
    size = 18
    pdf.set_font(_FONT, style="B", size=size)
    # A long name shrinks rather than running into the invoice number beside it.
    while size > 9 and pdf.get_string_width(issuer) > 105:
        size -= 1
        pdf.set_font(_FONT, style="B", size=size)
    pdf.cell(110, 10, issuer)
    pdf.set_font(_FONT, style="B", size=18)
    pdf.cell(0, 10, latin_1(f"Invoice {number}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=10)
    pdf.cell(0, 6, latin_1(f"Status: {invoice.status.upper()}"), align="R")
    pdf.ln(10)


def _dates(pdf: FPDF, invoice: InvoiceRow, zone: ZoneInfo) -> None:
    rows = [
        ("Issued", _date(invoice.issued_at, zone)),
        ("Due", _date(invoice.due_at, zone)),
        ("Paid", _date(invoice.paid_at, zone)),
    ]
    if invoice.period_start and invoice.period_end:
        period = f"{_date(invoice.period_start, zone)} to {_date(invoice.period_end, zone)}"
        rows.append(("Period", period))
    if invoice.credit_note_number:
        rows.append(("Credit note", latin_1(invoice.credit_note_number)))
    for label, value in rows:
        pdf.set_font(_FONT, style="B", size=10)
        pdf.cell(30, 6, label)
        pdf.set_font(_FONT, size=10)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _bill_to(pdf: FPDF, customer: CustomerRow) -> None:
    pdf.set_font(_FONT, style="B", size=10)
    pdf.cell(0, 6, "Bill to", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=10)
    for text in [customer.name, customer.email, *_address_lines(customer.address)]:
        pdf.cell(0, 5, latin_1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def _address_lines(address: Address) -> list[str]:
    town = " ".join(part for part in (address.postal_code, address.city) if part)
    lines = [address.line1, address.line2, town, address.state, address.country.upper()]
    return [line for line in lines if line]


def _lines(pdf: FPDF, lines: list[InvoiceLine], currency: str) -> None:
    pdf.set_font(_FONT, size=10)
    with pdf.table(
        col_widths=_COLUMNS,
        width=sum(_COLUMNS),
        align="LEFT",
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD"),
        borders_layout="HORIZONTAL_LINES",
        line_height=6,
        padding=1,
    ) as table:
        table.row(["Description", "Qty", "Unit price", "Amount"])
        for each in lines:
            table.row(
                [
                    latin_1(each.description),
                    str(each.quantity),
                    money(each.unit_amount, currency),
                    money(each.amount, currency),
                ]
            )
    pdf.ln(4)


def _totals(pdf: FPDF, invoice: InvoiceRow) -> None:
    tax_label = f"Tax ({percent(invoice.tax_rate_bp)}"
    tax_label += f", {invoice.tax_country.upper()})" if invoice.tax_country else ")"
    rows = [
        ("Subtotal", invoice.subtotal, False),
        (tax_label, invoice.tax, False),
        ("Total", invoice.total, True),
    ]
    if invoice.amount_paid:
        rows.append(("Amount paid", invoice.amount_paid, False))
    if invoice.amount_refunded:
        rows.append(("Amount refunded", invoice.amount_refunded, False))
    for label, amount, emphasised in rows:
        pdf.set_font(_FONT, style="B" if emphasised else "", size=11 if emphasised else 10)
        pdf.cell(_COLUMNS[0] + _COLUMNS[1] + _COLUMNS[2], 7, latin_1(label), align="R")
        pdf.cell(_COLUMNS[3], 7, money(amount, invoice.currency), align="R")
        pdf.ln(7)


def _date(value: datetime | None, zone: ZoneInfo) -> str:
    return "-" if value is None else _aware(value).astimezone(zone).date().isoformat()


def _aware(value: datetime) -> datetime:
    # Rows carry aware instants; a naive one is read as UTC, never as this host's zone.
    return value if value.utcoffset() is not None else value.replace(tzinfo=UTC)


def _zone(name: str) -> ZoneInfo:
    """The customer's zone for printed dates; UTC when the row holds no usable zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")
