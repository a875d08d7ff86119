"""Kafka subscriber: instance events that create or remove DNS records."""

from collections.abc import Callable
from functools import partial
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from hostplane.contracts import events as contract
from hostplane.contracts.topics import VPS_EVENTS
from hostplane.dns.application import Dns
from hostplane.messaging.cloudevents import incoming_event
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import handle_records, tracked_subscriber
from hostplane.messaging.settings import InfraSettings

GROUP = "dns"


def _remove_for(app: Dns, payload: Any, position: Position) -> None:
    app.remove_for(payload.instance_id, position)


def _point_at_server(app: Dns, payload: Any, position: Position) -> None:
    app.point_at_server(payload.instance_id, payload.subdomain, payload.ip_address, position)


# What each `vps.events` payload the dns service reacts to asks of it; the others pass by.
HANDLERS: dict[type[contract.EventPayload], Callable[[Dns, Any, Position], None]] = {
    contract.ServerCreated: _point_at_server,
    contract.InstanceTerminated: _remove_for,
    contract.InstanceErrored: _remove_for,
}


def subscribe(broker: KafkaBroker, app: Dns, settings: InfraSettings) -> None:
    """Register the `vps.events` subscriber, resuming from its tracking records."""

    # Records of instances on different partitions are made in parallel, each instance's in
    # order (`handle_records`).
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=settings.group(GROUP),
        next_offset=app.next_offset,
    )
    async def on_instance_events(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_on_instance_event, app))


def _on_instance_event(app: Dns, record: Any, position: Position) -> bool:
    payload = incoming_event(record)
    handler = HANDLERS.get(type(payload)) if payload is not None else None
    if handler is None:
        return False
    handler(app, payload, position)
    return True
