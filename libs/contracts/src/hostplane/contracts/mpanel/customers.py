"""Seed 002 §4.2: customers, the tenant's paying clients."""

from functools import cache
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import available_timezones

from pydantic import AfterValidator, EmailStr, Field, WithJsonSchema

from hostplane.contracts.mpanel.common import Body, ListResponse, Request, Timestamp

Line = Annotated[str, Field(max_length=200)]


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(name: str) -> str:
    if name not in _zones():
        raise ValueError("not an IANA time zone")
    return name


# An IANA time zone (`Europe/Berlin`): the ones the tz database here knows, as documented.
TimeZone = Annotated[
    str,
    AfterValidator(_zone),
    WithJsonSchema({"type": "string", "enum": sorted(_zones())}),
]


class AddressIn(Request):
    line1: Line = ""
    line2: Line = ""
    city: Line = ""
    state: Line = ""
    postal_code: Annotated[str, Field(max_length=20)] = ""
    # ISO 3166-1 alpha-2: it picks the tax rate.
    country: Annotated[str, Field(pattern=r"^([A-Z]{2})?$")] = ""


class Address(Body):
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str
    country: str


class Customer(Body):
    id: UUID
    tenant_id: UUID
    name: str
    email: str
    phone: str
    address: Address
    timezone: str
    status: str
    created_at: Timestamp


class CustomerList(ListResponse[Customer]):
    pass


Name = Annotated[str, Field(min_length=1, max_length=200)]
Phone = Annotated[str, Field(max_length=50)]


class CustomerCreate(Request):
    name: Name
    email: EmailStr
    phone: Phone = ""
    address: AddressIn = AddressIn()
    timezone: TimeZone = "UTC"


class CustomerUpdate(Request):
    """Only the fields given change."""

    name: Name | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    address: AddressIn | None = None
    timezone: TimeZone | None = None
    status: Literal["active", "disabled"] | None = None
