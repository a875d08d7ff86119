"""Hostplane's admin API of outgoing webhooks under /api/v1/admin/webhooks: endpoints with
their URL, event filter and secret, and each endpoint's delivery log."""

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from hostplane.contracts.cloudvps.wire import Body, Request, Timestamp

Url = Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^https?://")]
# Event names (`vps.created`), `*`, or a prefix pattern (`vps.*`).
Events = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(min_length=1)]
Description = Annotated[str, Field(max_length=500)]


class EndpointCreate(Request):
    url: Url
    events: Events
    description: Description = ""


class EndpointUpdate(Request):
    url: Url | None = None
    events: Events | None = None
    enabled: bool | None = None
    description: Description | None = None


class Endpoint(Body):
    id: str
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None = None
    disabled_at: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp
    # Only when it was just made (create, rotate-secret): it is not shown again.
    secret: str | None = None


class Attempt(Body):
    n: int
    at: Timestamp
    status: int | None = None
    latency_ms: int
    error: str | None = None
    response: str | None = None


class Delivery(Body):
    id: str
    event: str
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: list[Attempt]
    last_status: int | None = None
    next_attempt_at: Timestamp | None = None
    created_at: Timestamp
    delivered_at: Timestamp | None = None


class RedeliverSince(Request):
    since: AwareDatetime
