"""Tax rates by the customer's country, in basis points (1900 = 19 %).

The defaults are the standard VAT/GST rates a hosting service (an electronically supplied
service, taxed where the customer is) charges consumers; a deployment overrides them through
its settings. A country missing from the table is charged no tax, as is a customer with no
country on file.
"""

from collections.abc import Mapping

DEFAULT_TAX_RATES_BP: dict[str, int] = {
    # The EU's standard VAT rates.
    "AT": 2000,
    "BE": 2100,
    "BG": 2000,
    "CY": 1900,
    "CZ": 2100,
    "DE": 1900,
    "DK": 2500,
    "EE": 2400,
    "ES": 2100,
    "FI": 2550,
    "FR": 2000,
    "GR": 2400,
    "HR": 2500,
    "HU": 2700,
    "IE": 2300,
    "IT": 2200,
    "LT": 2100,
    "LU": 1700,
    "LV": 2100,
    "MT": 1800,
    "NL": 2100,
    "PL": 2300,
    "PT": 2300,
    "RO": 2100,
    "SE": 2500,
    "SI": 2200,
    "SK": 2300,
    # Elsewhere: VAT or GST on digital services sold to consumers.
    "GB": 2000,
    "CH": 810,
    "NO": 2500,
    "AU": 1000,
    "NZ": 1500,
    "CA": 500,  # the federal GST; provincial taxes are not modelled
    "JP": 1000,
    "SG": 900,
    "IN": 1800,
    "US": 0,  # sales tax on hosting depends on the state, and is not charged here
}


def tax_rate_bp(country: str, rates: Mapping[str, int]) -> int:
    """The rate for an ISO 3166-1 alpha-2 `country` (any case); 0 when unknown or empty."""
    code = country.strip().upper()
    if not code:
        return 0
    return next((rate for key, rate in rates.items() if key.upper() == code), 0)
