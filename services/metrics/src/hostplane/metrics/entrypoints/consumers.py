"""Kafka subscriber: every event topic, projected into the read tables exactly once."""

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from psycopg import Cursor
from pydantic import ValidationError

from hostplane.contracts import envelope
from hostplane.contracts.telemetry import LogBatch, UsageBatch
from hostplane.contracts.topics import (
    DNS_EVENTS,
    JOB_EVENTS,
    TELEMETRY_AI_USAGE,
    TELEMETRY_LOGS,
    USER_EVENTS,
    VPS_EVENTS,
    WHMCS_WEBHOOKS,
)
from hostplane.messaging.cloudevents import header, incoming_event
from hostplane.messaging.kafka import by_partition, record_position, tracked_subscriber
from hostplane.messaging.observability import consuming
from hostplane.messaging.settings import InfraSettings
from hostplane.metrics.adapters.store import ViewStore
from hostplane.metrics.telemetry import store_logs, store_usage

log = logging.getLogger(__name__)

GROUP = "metrics"


def subscribe(broker: KafkaBroker, store: ViewStore, settings: InfraSettings) -> None:
    """Register the projection subscriber, resuming from the positions in `views.tracking`."""

    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        settings.topic(DNS_EVENTS),
        settings.topic(JOB_EVENTS),
        settings.topic(USER_EVENTS),
        settings.topic(WHMCS_WEBHOOKS),
        group_id=GROUP,
        next_offset=store.next_offset,
    )
    async def on_events(message: KafkaMessage) -> None:
        def project_batch() -> None:
            for records in by_partition(message):
                project_records(store, records)

        await asyncio.to_thread(project_batch)


def project_records(store: ViewStore, records: list[Any]) -> int:
    """One partition's records, projected in one transaction; returns how many were applied.

    A malformed event is skipped (and logged); its position is kept like any other.
    """
    positions, events = [], []
    for record in records:
        with consuming(record):
            event = incoming_event(record)
        events.append((event, int(header(record.headers, envelope.CE_SEQUENCE) or 0)))
        positions.append(record_position(record))
    return store.apply_batch(positions, events)


def subscribe_telemetry(broker: KafkaBroker, store: ViewStore, settings: InfraSettings) -> None:
    """Register the subscriber storing instance logs and AI usage."""
    logs_topic = settings.topic(TELEMETRY_LOGS)

    @tracked_subscriber(
        broker,
        logs_topic,
        settings.topic(TELEMETRY_AI_USAGE),
        group_id=f"{GROUP}-telemetry",
        next_offset=store.next_offset,
    )
    async def on_telemetry(message: KafkaMessage) -> None:
        def store_all() -> None:
            for record in message.raw_message:
                write = _writer(record.topic == logs_topic, record.value)
                store.write_once(record_position(record), write)

        await asyncio.to_thread(store_all)


def _writer(logs: bool, body: bytes) -> Callable[[Cursor[Any]], None]:
    """How to store one telemetry batch (a malformed one is skipped, its position kept)."""
    try:
        if logs:
            return partial(store_logs, batch=LogBatch.model_validate_json(body))
        return partial(store_usage, batch=UsageBatch.model_validate_json(body))
    except ValidationError as error:
        log.error("skipping a malformed telemetry batch: %s", error)
        return _skip


def _skip(_: Cursor[Any]) -> None:
    return None
