"""Kafka subscribers: every event topic into the read models, telemetry, and server usage.

Each resumes from the positions stored with its effects in `views.tracking`.
"""

import asyncio
import logging
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from hostplane.contracts.telemetry import LogBatch, ServerUsage, UsageBatch
from hostplane.contracts.topics import (
    BILLING_EVENTS,
    DNS_EVENTS,
    INVOICE_EVENTS,
    JOB_EVENTS,
    SERVER_USAGE,
    SUPPORT_EVENTS,
    TELEMETRY_AI_USAGE,
    TELEMETRY_LOGS,
    USER_EVENTS,
    VPS_EVENTS,
    WHMCS_WEBHOOKS,
)
from hostplane.messaging.kafka import (
    batch_position,
    by_partition,
    record_position,
    tracked_subscriber,
)
from hostplane.messaging.settings import InfraSettings
from hostplane.metrics.adapters.kafka import delivered
from hostplane.metrics.application import Metrics

log = logging.getLogger(__name__)

GROUP = "metrics"
TELEMETRY_GROUP = f"{GROUP}-telemetry"
SERVER_USAGE_GROUP = f"{GROUP}-server-usage"


def subscribe(broker: KafkaBroker, app: Metrics, settings: InfraSettings) -> None:
    """Register metrics' subscribers."""
    _subscribe_events(broker, app, settings)
    _subscribe_telemetry(broker, app, settings)
    _subscribe_server_usage(broker, app, settings)


def _subscribe_events(broker: KafkaBroker, app: Metrics, settings: InfraSettings) -> None:
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        settings.topic(DNS_EVENTS),
        settings.topic(JOB_EVENTS),
        settings.topic(USER_EVENTS),
        settings.topic(WHMCS_WEBHOOKS),
        settings.topic(BILLING_EVENTS),
        settings.topic(INVOICE_EVENTS),
        settings.topic(SUPPORT_EVENTS),
        group_id=settings.group(GROUP),
        next_offset=app.next_offset,
    )
    async def on_events(message: KafkaMessage) -> None:
        def apply_all() -> None:
            for records in by_partition(message):
                app.apply_events([delivered(record) for record in records])

        await asyncio.to_thread(apply_all)


def _subscribe_telemetry(broker: KafkaBroker, app: Metrics, settings: InfraSettings) -> None:
    logs_topic = settings.topic(TELEMETRY_LOGS)

    @tracked_subscriber(
        broker,
        logs_topic,
        settings.topic(TELEMETRY_AI_USAGE),
        group_id=settings.group(TELEMETRY_GROUP),
        next_offset=app.next_offset,
    )
    async def on_telemetry(message: KafkaMessage) -> None:
        def store_all() -> None:
            for record in message.raw_message:
                _store_telemetry(app, record, logs=record.topic == logs_topic)

        await asyncio.to_thread(store_all)


def _store_telemetry(app: Metrics, record: Any, logs: bool) -> None:
    """Store one uploaded batch; a malformed one is logged and passed over."""
    position = record_position(record)
    try:
        if logs:
            app.store_logs(position, LogBatch.model_validate_json(record.value))
        else:
            app.store_ai_usage(position, UsageBatch.model_validate_json(record.value))
    except ValidationError as error:
        log.error("skipping a malformed telemetry batch at %s: %s", position.stream, error)
        app.pass_over(position)


def _subscribe_server_usage(broker: KafkaBroker, app: Metrics, settings: InfraSettings) -> None:
    @tracked_subscriber(
        broker,
        settings.topic(SERVER_USAGE),
        group_id=settings.group(SERVER_USAGE_GROUP),
        next_offset=app.next_offset,
    )
    async def on_server_usage(message: KafkaMessage) -> None:
        def store_all() -> None:
            for records in by_partition(message):
                app.store_server_usage(batch_position(records), _samples(records))

        await asyncio.to_thread(store_all)


def _samples(records: list[Any]) -> list[ServerUsage]:
    """The samples a partition's records carry; a malformed one is logged and left out."""
    samples = []
    for record in records:
        try:
            samples.append(ServerUsage.model_validate_json(record.value))
        except ValidationError as error:
            log.error("skipping a malformed usage sample at %s: %s", record_position(record), error)
    return samples
