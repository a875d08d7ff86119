"""What the DNS service's stored events look like on `dns.events`."""

from typing import Any

from eventsourcing.domain import DomainEventProtocol

from hostplane.contracts import events as contract
from hostplane.dns.domain.record import Record
from hostplane.messaging.cloudevents import OutgoingEvent

SOURCE = "hostplane/dns"


def _payload(event: Any) -> contract.EventPayload | None:
    at = event.timestamp
    if isinstance(event, Record.Created):
        if event.provider_record_id is None:
            return contract.RecordFailed(
                occurred_at=at,
                instance_id=event.instance_id,
                record_name=event.name,
                error_code=event.error_code or "DNS_FAILED",
                error_message=event.error_message or "",
            )
        return contract.RecordCreated(
            occurred_at=at,
            instance_id=event.instance_id,
            record_name=event.name,
            record_id=event.provider_record_id,
            record_type=event.record_type,
            content=event.content,
        )
    if isinstance(event, Record.Deleted):
        return contract.RecordDeleted(
            occurred_at=at,
            instance_id=event.instance_id,
            record_name=event.name,
            record_id=event.provider_record_id,
        )
    return None


def translate(event: DomainEventProtocol[Any]) -> OutgoingEvent | None:
    """The public event for a stored one; keyed by instance, so its records stay in order."""
    payload = _payload(event)
    if payload is None:
        return None
    assert isinstance(payload, contract.DnsEvent)
    return OutgoingEvent(
        payload=payload,
        aggregate_id=payload.instance_id,
        version=event.originator_version,
        source=SOURCE,
    )
