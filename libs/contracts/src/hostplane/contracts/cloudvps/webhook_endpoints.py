"""Hostplane's admin API of outgoing webhooks under /api/v1/admin/webhooks: endpoints with
their URL, event filter and secret, and each endpoint's delivery log."""

from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, WithJsonSchema

from hostplane.contracts.cloudvps.webhooks import WebhookEvent
from hostplane.contracts.cloudvps.wire import Body, Request, Timestamp

Url = Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^https?://[^/?#\s]+")]


def _patterns() -> list[str]:
    """Every event filter an endpoint may name: an event (`vps.created`), every event (`*`),
    or the events under a prefix (`vps.*`, `vps.backup.*`)."""
    prefixes = {
        ".".join(parts[:n])
        for parts in (e.value.split(".") for e in WebhookEvent)
        for n in range(1, len(parts))
    }
    return ["*", *(e.value for e in WebhookEvent), *sorted(f"{p}.*" for p in prefixes)]


PATTERNS = _patterns()


def _known(pattern: str) -> str:
    if pattern not in PATTERNS:
        raise ValueError(f"no webhook event matches {pattern!r}")
    return pattern


EventPattern = Annotated[
    str, AfterValidator(_known), WithJsonSchema({"type": "string", "enum": PATTERNS})
]
Events = Annotated[list[EventPattern], Field(min_length=1)]
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
