"""Kafka subscribers: commands, the instance's own events (saga steps), and DNS outcomes."""

import asyncio
import logging
from typing import Any
from uuid import UUID

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from hostplane.contracts import commands, envelope
from hostplane.contracts import events as contract
from hostplane.contracts.topics import DNS_EVENTS, PROVISIONING_COMMANDS, VPS_EVENTS
from hostplane.messaging.cloudevents import header
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import (
    handle_at,
    handle_once,
    record_position,
    tracked_subscriber,
    unprocessed,
)
from hostplane.messaging.settings import InfraSettings
from hostplane.provisioning.adapters.hetzner import ActionState, ActionWatcher
from hostplane.provisioning.application import Provisioning
from hostplane.provisioning.domain.instance import Operation

log = logging.getLogger(__name__)

COMMAND = TypeAdapter[commands.ProvisioningCommand](commands.ProvisioningCommand)

SAGA_STEPS: dict[type[contract.EventPayload], Operation | None] = {
    contract.InstanceCreated: None,
    contract.ProvisioningFailed: None,
    contract.SuspendRequested: Operation.SUSPEND,
    contract.UnsuspendRequested: Operation.UNSUSPEND,
    contract.TerminateRequested: Operation.TERMINATE,
    contract.RebootRequested: Operation.REBOOT,
    contract.ResizeRequested: Operation.RESIZE,
}

GROUP = "provisioning"


BOOT_TIMEOUT_S = 600.0
# The boot watch reads vps.events beside the saga steps, so it keeps tracking records apart.
BOOT_WATCH = "boot"


def subscribe(broker: KafkaBroker, app: Provisioning, settings: InfraSettings) -> None:
    """Register provisioning's subscribers, each resuming from its tracking records."""

    @tracked_subscriber(
        broker, settings.topic(PROVISIONING_COMMANDS), group_id=GROUP, next_offset=app.next_offset
    )
    async def on_provisioning_command(message: KafkaMessage) -> None:
        try:
            command = COMMAND.validate_json(message.body)
            job_id = UUID(header(message.headers, envelope.COMMAND_ID) or "")
        except (ValidationError, ValueError) as error:
            log.error("dropping malformed command at %s: %s", message.raw_message, error)
            return
        await handle_once(
            app, message, lambda position: app.handle_command(command, job_id, position)
        )

    # Saga steps call the provider: one consumer per partition, so instances on different
    # partitions are provisioned in parallel.
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=f"{GROUP}-saga",
        next_offset=app.next_offset,
        max_poll_interval_ms=15 * 60 * 1000,
        consumers=VPS_EVENTS.partitions,
    )
    async def on_instance_event(message: KafkaMessage) -> None:
        payload = _event(message)
        if payload is None or type(payload) not in SAGA_STEPS:
            return
        assert isinstance(payload, contract.VpsEvent)
        await handle_once(app, message, lambda position: _saga_step(app, payload, position))

    watcher = ActionWatcher(app.provider, app.provider.poll_interval, BOOT_TIMEOUT_S)

    # A server boots in tens of seconds. The servers of a whole batch are watched together
    # (one poll a round for all), so a boot never holds up the instances behind it.
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=f"{GROUP}-boot",
        next_offset=lambda topic, partition: app.next_offset(topic, partition, BOOT_WATCH),
        max_poll_interval_ms=15 * 60 * 1000,
        batch=True,
    )
    async def on_servers_booting(message: KafkaMessage) -> None:
        await asyncio.gather(
            *(
                _settle_boots(app, watcher, records)
                for records in await asyncio.to_thread(unprocessed, app, message, BOOT_WATCH)
            )
        )

    @tracked_subscriber(
        broker, settings.topic(DNS_EVENTS), group_id=f"{GROUP}-dns", next_offset=app.next_offset
    )
    async def on_dns_event(message: KafkaMessage) -> None:
        payload = _event(message)
        if isinstance(payload, contract.RecordCreated):
            created = payload
            await handle_once(
                app,
                message,
                lambda position: app.record_dns(
                    created.instance_id, created.record_id, created.record_name, position
                ),
            )
        elif isinstance(payload, contract.RecordFailed):
            failed = payload
            await handle_once(
                app,
                message,
                lambda position: app.dns_failed(
                    failed.instance_id, failed.error_code, failed.error_message, position
                ),
            )


async def _settle_boots(app: Provisioning, watcher: ActionWatcher, records: list[Any]) -> None:
    """Wait for the servers created in one partition's records, then record how they ended."""
    booting: dict[UUID, int | None] = {}
    for record in records:
        payload = _parse(header(record.headers, envelope.CE_TYPE) or "", record.value)
        if isinstance(payload, contract.ServerCreated):
            booting[payload.instance_id] = payload.action_id
    states = await asyncio.gather(
        *(_boot(app, watcher, instance_id, action) for instance_id, action in booting.items())
    )
    outcomes = dict(zip(booting, states, strict=True))
    await handle_at(
        app,
        record_position(records[-1], BOOT_WATCH),
        lambda position: app.settle_boots(outcomes, position),
    )


async def _boot(
    app: Provisioning, watcher: ActionWatcher, instance_id: UUID, action_id: int | None
) -> ActionState:
    if action_id is None:
        return await asyncio.to_thread(app.boot_of_found_server, instance_id)
    return await watcher.finished(action_id)


def _saga_step(app: Provisioning, payload: contract.VpsEvent, position: Position) -> None:
    if isinstance(payload, contract.InstanceCreated):
        app.provision_server(payload.instance_id, position)
    elif isinstance(payload, contract.ProvisioningFailed):
        app.compensate(payload.instance_id, position)
    else:
        operation = SAGA_STEPS[type(payload)]
        assert operation is not None
        app.carry_out(payload.instance_id, operation, position)


def _event(message: KafkaMessage) -> contract.EventPayload | None:
    return _parse(header(message.headers, envelope.CE_TYPE) or "", message.body)


def _parse(ce_type: str, body: bytes) -> contract.EventPayload | None:
    try:
        return contract.parse_event(ce_type, body)
    except ValidationError as error:
        log.error("dropping malformed %s event: %s", ce_type, error)
        return None
