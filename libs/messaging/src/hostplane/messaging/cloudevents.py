"""CloudEvents 1.0 in Kafka binary mode: attributes in headers, the payload as the value."""

from dataclasses import dataclass
from uuid import UUID

from hostplane.contracts import envelope
from hostplane.contracts.events import EventPayload

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class OutgoingEvent:
    """A stored domain event as it leaves the service."""

    payload: EventPayload
    aggregate_id: UUID
    version: int
    source: str

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


def header(headers: dict[str, str] | Headers | None, name: str) -> str | None:
    """One header's text, from either faststream's dict or aiokafka's list of pairs."""
    if headers is None:
        return None
    if isinstance(headers, dict):
        return headers.get(name)
    for key, value in headers:
        if key == name:
            return value.decode()
    return None
