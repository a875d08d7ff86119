"""What every CloudVPS body shares: the two base classes, ids, money and times."""

import re
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from hostplane.contracts.money import Money as Money  # the surface's amounts
from hostplane.contracts.vps import iso


class Request(BaseModel):
    """A request body or query: the contract's names only, nothing else accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Changes(Request):
    """A partial update: only the fields given change. It gives at least one, and none is
    null (a field left out stays as it is); its fields are typed `X | SkipJsonSchema[None]`."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"minProperties": 1})

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("leave the field out rather than null")
        return value

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        fields = type(self).model_fields
        if all(getattr(self, name) is None for name in fields):
            raise ValueError(f"give at least one of: {', '.join(fields)}")
        return self


class Body(BaseModel):
    """A response body, written with `exclude_none`: a field the answer lacks is left out."""

    model_config = ConfigDict(frozen=True)


# `vps-123`, `plan-starter`, `pm_card_visa`: the contract's ids are opaque strings.
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")]
# A name a person gives (a server, a backup): one line, no control characters.
Label = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]{1,100}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


# ISO 8601 in UTC with a `Z`, as the contract writes every time.
Timestamp = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _iso_8601(value: object) -> object:
    # As documented (ISO 8601): not the unix seconds pydantic would also take.
    if (isinstance(value, str) and ISO_8601.match(value)) or isinstance(value, datetime):
        return value
    raise ValueError("an ISO 8601 date and time with its offset, e.g. 2025-01-15T12:00:00Z")


# A time a query carries: ISO 8601 with its offset.
TimeIn = Annotated[AwareDatetime, BeforeValidator(_iso_8601)]
