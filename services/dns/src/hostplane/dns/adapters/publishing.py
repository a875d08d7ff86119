"""What the DNS service's stored events look like on `dns.events`."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from hostplane.contracts import events as contract
from hostplane.dns.domain.record import Record
from hostplane.messaging.cloudevents import OutgoingEvent

SOURCE = "hostplane/dns"


def _record_created(e: Any, at: datetime) -> contract.DnsEvent:
    """A record the provider holds, or why it refused it for good."""
    if e.provider_record_id is None:
        return contract.RecordFailed(
            occurred_at=at,
            instance_id=e.instance_id,
            record_name=e.name,
            error_code=e.error_code or "DNS_FAILED",
            error_message=e.error_message or "",
        )
    return contract.RecordCreated(
        occurred_at=at,
        instance_id=e.instance_id,
        record_name=e.name,
        record_id=e.provider_record_id,
        # Events stored before PowerDNS was offered name no provider: theirs is Cloudflare.
        provider=getattr(e, "provider", "cloudflare"),
        record_type=e.record_type,
        content=e.content,
    )


PAYLOADS: dict[type[Any], Callable[[Any, datetime], contract.DnsEvent]] = {
    Record.Created: _record_created,
    Record.Deleted: lambda e, at: contract.RecordDeleted(
        occurred_at=at,
        instance_id=e.instance_id,
        record_name=e.name,
        record_id=e.provider_record_id,
    ),
}


def translate(event: DomainEventProtocol[Any]) -> OutgoingEvent | None:
    """The public event for a stored one; keyed by instance, so its records stay in order."""
    to_payload = PAYLOADS.get(type(event))
    if to_payload is None:
        return None
    payload = to_payload(event, event.timestamp)
    return OutgoingEvent(
        payload=payload,
        aggregate_id=payload.instance_id,
        version=event.originator_version,
        source=SOURCE,
    )
