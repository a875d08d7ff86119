"""Seed 002 §3: tenants."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from hostplane.contracts.mpanel.common import Body, ListResponse, Request, Timestamp


class Tenant(Body):
    id: UUID
    name: str
    status: str
    created_at: Timestamp


class TenantList(ListResponse[Tenant]):
    pass


class TenantCreate(Request):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
    status: Literal["active", "suspended"] = "active"
