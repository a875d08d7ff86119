"""How invoice and credit-note numbers read: `INV-2026-000042`, `CN-2026-000001`.

A series runs per tenant, kind and calendar year, without gaps; the InvoiceSeries aggregate
hands out the sequence numbers and this module only writes them down. Six digits are padded;
a series that passes 999 999 simply grows a digit.
"""

import re
from uuid import UUID

INVOICE_PREFIX = "INV"
CREDIT_NOTE_PREFIX = "CN"
INVOICE_SERIES = "invoice"
CREDIT_NOTE_SERIES = "credit_note"

_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")


def invoice_number(tenant_prefix: str, year: int, sequence: int) -> str:
    """`INV-2026-000042`; an empty prefix is the default `INV`."""
    return _number(tenant_prefix or INVOICE_PREFIX, year, sequence)


def credit_note_number(tenant_prefix: str, year: int, sequence: int) -> str:
    """`CN-2026-000001`; an empty prefix is the default `CN`."""
    return _number(tenant_prefix or CREDIT_NOTE_PREFIX, year, sequence)


def series_key(tenant_id: UUID, year: int, kind: str) -> str:
    """The name of one gapless series, e.g. `<tenant>:invoice:2026` (an aggregate's uuid5 name)."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"{kind!r} is not a series kind")
    _check_year(year)
    return f"{tenant_id}:{kind}:{year}"


def _number(prefix: str, year: int, sequence: int) -> str:
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"{prefix!r} is not a number prefix (letters, digits, - and _)")
    _check_year(year)
    if sequence < 1:
        raise ValueError(f"sequence numbers start at 1, not {sequence}")
    return f"{prefix}-{year}-{sequence:06d}"


def _check_year(year: int) -> None:
    if not 1000 <= year <= 9999:
        raise ValueError(f"{year} is not a four-digit year")
