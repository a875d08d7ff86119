"""CloudEvents 1.0 in Kafka binary mode: attributes in headers, the payload as the value."""

import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from hostplane.contracts import envelope
from hostplane.contracts.events import EventPayload, parse_event
from hostplane.contracts.topics import Topic

log = logging.getLogger(__name__)

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class OutgoingEvent:
    """A stored domain event as it leaves the service."""

    payload: EventPayload
    aggregate_id: UUID
    version: int
    source: str

    @property
    def topic(self) -> Topic:
        return self.payload.topic

    @property
    def key(self) -> bytes:
        return str(self.aggregate_id).encode()

    @property
    def value(self) -> bytes:
        return self.payload.model_dump_json().encode()

    @property
    def headers(self) -> Headers:
        attributes = {
            envelope.CE_SPECVERSION: "1.0",
            # Stable across re-publication, so subscribers can deduplicate on it.
            envelope.CE_ID: f"{self.aggregate_id}:{self.version}",
            envelope.CE_TYPE: self.payload.ce_type,
            envelope.CE_SOURCE: self.source,
            envelope.CE_SUBJECT: str(self.aggregate_id),
            envelope.CE_TIME: self.payload.occurred_at.isoformat(),
            envelope.CE_SEQUENCE: str(self.version),
            envelope.CONTENT_TYPE: "application/json",
        }
        return [(name, value.encode()) for name, value in attributes.items()]


def header(headers: Headers | None, name: str) -> str | None:
    """One header's text from a consumed record's headers."""
    for key, value in headers or ():
        if key == name:
            return value.decode()
    return None


def incoming_event(record: Any) -> EventPayload | None:
    """A consumed record's event, or None for a type this version does not know.

    A malformed event is logged and skipped (None): redelivering it would not mend it.
    """
    ce_type = header(record.headers, envelope.CE_TYPE) or ""
    try:
        return parse_event(ce_type, record.value)
    except ValidationError as error:
        log.error(
            "skipping malformed %s event at %s:%s@%s: %s",
            ce_type,
            record.topic,
            record.partition,
            record.offset,
            error,
        )
        return None
