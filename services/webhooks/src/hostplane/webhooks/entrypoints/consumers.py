"""Kafka subscribers: Hostplane's events become deliveries, `webhooks.commands` change
endpoints. Each resumes from the positions stored with its effects in `webhooks.tracking`."""

import asyncio
import logging
from typing import Any
from uuid import UUID, uuid5

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from hostplane.contracts import envelope
from hostplane.contracts.commands.webhooks import WebhookCommand
from hostplane.contracts.topics import (
    BILLING_EVENTS,
    INVOICE_EVENTS,
    USER_EVENTS,
    VPS_EVENTS,
    WEBHOOKS_COMMANDS,
)
from hostplane.messaging.cloudevents import header, incoming_event
from hostplane.messaging.kafka import by_partition, record_position, tracked_subscriber
from hostplane.messaging.observability import consuming
from hostplane.messaging.settings import InfraSettings
from hostplane.webhooks.application.service import Arrived, Webhooks
from hostplane.webhooks.domain.events import customer_of, webhook_for

log = logging.getLogger(__name__)

GROUP = "webhooks"
COMMANDS_GROUP = "webhooks-commands"
COMMAND = TypeAdapter[WebhookCommand](WebhookCommand)
EVENT_SOURCES = (VPS_EVENTS, INVOICE_EVENTS, BILLING_EVENTS, USER_EVENTS)


def subscribe(broker: KafkaBroker, app: Webhooks, settings: InfraSettings) -> None:
    """Register the webhooks service's subscribers."""

    @tracked_subscriber(
        broker,
        *(settings.topic(topic) for topic in EVENT_SOURCES),
        group_id=settings.group(GROUP),
        next_offset=app.next_offset,
    )
    async def on_events(message: KafkaMessage) -> None:
        def take(records: list[Any]) -> None:
            # Read in the thread too: a large batch read on the event loop holds up sending.
            app.take_events([arrived(r) for r in records])

        await asyncio.gather(
            *(asyncio.to_thread(take, records) for records in by_partition(message))
        )

    @tracked_subscriber(
        broker,
        settings.topic(WEBHOOKS_COMMANDS),
        group_id=settings.group(COMMANDS_GROUP),
        next_offset=app.next_offset,
    )
    async def on_commands(message: KafkaMessage) -> None:
        def handle(records: list[Any]) -> None:
            for record in records:
                with consuming(record):
                    handle_command(app, record)

        await asyncio.gather(
            *(asyncio.to_thread(handle, records) for records in by_partition(message))
        )


def arrived(record: Any) -> Arrived:
    """A consumed event, the webhook it becomes and the billing customer it tells of."""
    position = record_position(record)
    with consuming(record):
        event = incoming_event(record)
    source_id = header(record.headers, envelope.CE_ID) or position.stream + f"@{position.offset}"
    if event is None:
        return Arrived(position, source_id, None)
    return Arrived(position, source_id, webhook_for(event), customer_of(event))


def handle_command(app: Webhooks, record: Any) -> None:
    """Carry out one command; a malformed one is logged and passed over."""
    position = record_position(record)
    try:
        command = COMMAND.validate_json(record.value)
    except ValidationError as error:
        log.error("skipping a malformed webhooks command at %s: %s", position.stream, error)
        app.pass_over(position)
        return
    app.handle_command(position, _command_id(record), command)


def _command_id(record: Any) -> UUID:
    given = header(record.headers, envelope.COMMAND_ID)
    try:
        return UUID(given) if given else _positional(record)
    except ValueError:
        return _positional(record)


def _positional(record: Any) -> UUID:
    # A command without an id is known by where it sits.
    return uuid5(UUID(int=0), f"{record.topic}:{record.partition}:{record.offset}")
