"""Kafka subscriber: instance events that create or remove DNS records."""

import logging

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from hostplane.contracts import envelope
from hostplane.contracts import events as contract
from hostplane.contracts.topics import VPS_EVENTS
from hostplane.dns.application import Dns
from hostplane.messaging.cloudevents import header
from hostplane.messaging.kafka import handle_once, tracked_subscriber
from hostplane.messaging.settings import InfraSettings

log = logging.getLogger(__name__)

GROUP = "dns"


def subscribe(broker: KafkaBroker, app: Dns, settings: InfraSettings) -> None:
    """Register the `vps.events` subscriber, resuming from its tracking records."""

    # One consumer per partition: records of instances on different partitions are made in
    # parallel, each instance's in order.
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=GROUP,
        next_offset=app.next_offset,
        consumers=VPS_EVENTS.partitions,
    )
    async def on_instance_event(message: KafkaMessage) -> None:
        ce_type = header(message.headers, envelope.CE_TYPE) or ""
        try:
            payload = contract.parse_event(ce_type, message.body)
        except ValidationError as error:
            log.error("dropping malformed %s event: %s", ce_type, error)
            return
        if isinstance(payload, contract.ServerCreated):
            created = payload
            await handle_once(
                app,
                message,
                lambda position: app.point_at_server(
                    created.instance_id, created.subdomain, created.ip_address, position
                ),
            )
        elif isinstance(payload, contract.InstanceTerminated | contract.InstanceErrored):
            gone = payload
            await handle_once(
                app, message, lambda position: app.remove_for(gone.instance_id, position)
            )
