"""Kafka subscriber: the support service's commands."""

import logging
from functools import partial
from typing import Any
from uuid import UUID

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from hostplane.contracts import envelope
from hostplane.contracts.commands import support as commands
from hostplane.contracts.topics import SUPPORT_COMMANDS
from hostplane.messaging.cloudevents import header
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import handle_records, tracked_subscriber
from hostplane.messaging.settings import InfraSettings
from hostplane.support.application.handlers import handle_command
from hostplane.support.application.service import Support

log = logging.getLogger(__name__)

COMMAND = TypeAdapter[commands.SupportCommand](commands.SupportCommand)
GROUP = "support"


def subscribe(broker: KafkaBroker, app: Support, settings: InfraSettings) -> None:
    """Register the `support.commands` subscriber, resuming from its tracking records."""

    @tracked_subscriber(
        broker,
        settings.topic(SUPPORT_COMMANDS),
        group_id=settings.group(GROUP),
        next_offset=app.next_offset,
    )
    async def on_support_commands(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_on_command, app))


def _on_command(app: Support, record: Any, position: Position) -> bool:
    try:
        command = COMMAND.validate_json(record.value)
        job_id = UUID(header(record.headers, envelope.COMMAND_ID) or "")
    except (ValidationError, ValueError) as error:
        log.error("dropping malformed command at %s: %s", position, error)
        return False
    handle_command(app, command, job_id, position)
    return True
