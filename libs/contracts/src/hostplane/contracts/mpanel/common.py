"""What every mPanel body shares: camelCase names, money as JSON numbers, times in UTC, lists
with their totals, the error body, and the answer of a job that outlived the wait."""

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel

from hostplane.contracts.money import Money as Money  # the surface's amounts
from hostplane.contracts.vps import iso

T = TypeVar("T")


class Request(BaseModel):
    """A request body: camelCase names only, nothing else accepted."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        extra="forbid",
        frozen=True,
    )


class Body(BaseModel):
    """A response body: built from Python names, written with camelCase names."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
        frozen=True,
    )


# A decimal amount a request carries: its currency's minor units decide how many decimals.
AmountIn = Annotated[
    Decimal,
    Field(ge=0, le=1_000_000_000, allow_inf_nan=False),
    WithJsonSchema(
        {
            "type": "number",
            "minimum": 0,
            "maximum": 1_000_000_000,
            "description": "No more decimals than the currency has: 2, none for JPY, KRW, "
            "VND, CLP and ISK, 3 for BHD, KWD and JOD",
        }
    ),
]
# ISO 8601 in UTC with a `Z`.
Timestamp = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _iso_8601(value: object) -> object:
    # As documented (`date-time`): not the unix seconds pydantic would also take.
    if (isinstance(value, str) and ISO_8601.match(value)) or isinstance(value, datetime):
        return value
    raise ValueError("an ISO 8601 date and time with its offset, e.g. 2026-01-01T00:00:00Z")


# A time a request carries: ISO 8601 with its offset.
TimeIn = Annotated[AwareDatetime, BeforeValidator(_iso_8601)]


class ErrorDetail(Body):
    code: str
    message: str
    details: dict[str, str] = {}


class ErrorResponse(Body):
    """Every answer that is not a success: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail


class ListResponse(Body, Generic[T]):
    """One page of a list, and how many there are in all."""

    items: list[T]
    total: int
    page: int
    page_size: int


class JobRef(Body):
    id: UUID
    status: str  # queued, running; succeeded while the read models catch up


class JobAccepted(Body):
    """The job outlived the bounded wait: follow it by its id."""

    job: JobRef
