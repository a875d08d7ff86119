"""Tax rates by country: the defaults, any case, nothing for an unknown country."""

import pytest

from hostplane.billing.domain.tax import DEFAULT_TAX_RATES_BP, tax_rate_bp


@pytest.mark.parametrize(
    ("country", "rate"),
    [
        ("DE", 1900),
        ("FR", 2000),
        ("NL", 2100),
        ("IE", 2300),
        ("ES", 2100),
        ("IT", 2200),
        ("AT", 2000),
        ("BE", 2100),
        ("SE", 2500),
        ("DK", 2500),
        ("FI", 2550),
        ("PL", 2300),
        ("PT", 2300),
        ("HU", 2700),
        ("LU", 1700),
        ("GB", 2000),
        ("CH", 810),
        ("NO", 2500),
        ("AU", 1000),
        ("NZ", 1500),
        ("CA", 500),
        ("JP", 1000),
        ("SG", 900),
        ("IN", 1800),
        ("US", 0),
    ],
)
def test_default_rates_are_the_standard_rates(country: str, rate: int) -> None:
    assert tax_rate_bp(country, DEFAULT_TAX_RATES_BP) == rate


def test_every_eu_member_has_a_rate() -> None:
    eu = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"

    assert set(eu.split()) <= DEFAULT_TAX_RATES_BP.keys()
    assert all(0 <= rate <= 10_000 for rate in DEFAULT_TAX_RATES_BP.values())


@pytest.mark.parametrize("country", ["de", " De ", "dE"])
def test_country_codes_are_read_in_any_case(country: str) -> None:
    assert tax_rate_bp(country, DEFAULT_TAX_RATES_BP) == 1900


@pytest.mark.parametrize("country", ["", "  ", "XX", "BR", "DEU"])
def test_an_unknown_or_missing_country_pays_no_tax(country: str) -> None:
    assert tax_rate_bp(country, DEFAULT_TAX_RATES_BP) == 0


def test_a_deployments_own_table_is_used_whatever_case_its_keys() -> None:
    rates = {"de": 700, "BR": 1700}

    assert tax_rate_bp("DE", rates) == 700
    assert tax_rate_bp("br", rates) == 1700
    assert tax_rate_bp("FR", rates) == 0
