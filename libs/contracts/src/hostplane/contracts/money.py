"""Money crosses processes as integers in minor units with an ISO 4217 currency.

Decimal amounts (seed 002's `9.99`) exist only at the REST edge: `to_minor` on the way in,
`to_major` on the way out. Nothing in between ever holds a float.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

# Currencies whose minor unit is not the cent (ISO 4217); every other has two decimals.
EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3}


class AmountError(ValueError):
    """An amount that cannot be expressed in its currency's minor units."""


def exponent(currency: str) -> int:
    return EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: Decimal | float | int | str, currency: str) -> int:
    """`9.99 USD` → 999; refuses more decimals than the currency has, and non-numbers."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as error:
        raise AmountError(f"{amount!r} is not an amount") from error
    if not value.is_finite():
        raise AmountError(f"{amount!r} is not an amount")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{amount} {currency} has more decimals than {currency} has")
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """999 USD → Decimal('9.99'): exact, for the edge to render."""
    places = exponent(currency)
    return (Decimal(minor).scaleb(-places)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def json_number(amount: Decimal) -> int | float:
    """An amount as a JSON number: 19.99 stays 19.99; 20, or 1000 JPY, stays integral."""
    exponent = amount.as_tuple().exponent
    return int(amount) if isinstance(exponent, int) and exponent >= 0 else float(amount)


# A decimal amount in its currency's major unit as the REST contracts write it (9.99): exact
# inside, a JSON number outside; made from minor units by `to_major`.
Money = Annotated[
    Decimal,
    PlainSerializer(json_number, when_used="json"),
    WithJsonSchema({"type": "number"}),
]
