"""Kafka subscribers: commands, the instance's own events (saga steps), and DNS outcomes."""

import asyncio
import logging
from functools import partial
from typing import Any
from uuid import UUID

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from hostplane.contracts import envelope
from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts import events as contract
from hostplane.contracts.topics import DNS_EVENTS, PROVISIONING_COMMANDS, VPS_EVENTS
from hostplane.messaging.cloudevents import header, incoming_event
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import (
    batch_position,
    handle_at,
    handle_records,
    tracked_subscriber,
    unprocessed,
)
from hostplane.messaging.settings import InfraSettings
from hostplane.provisioning.adapters.hetzner import ActionState, ActionWatcher
from hostplane.provisioning.application import Provisioning
from hostplane.provisioning.domain.operations import Operation

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
# A saga step may wait on the provider: a consumer takes a bounded share of its partition.
SAGA_BATCH = 100


BOOT_TIMEOUT_S = 600.0
# The boot watch reads vps.events beside the saga steps, so it keeps tracking records apart.
BOOT_WATCH = "boot"


def subscribe(broker: KafkaBroker, app: Provisioning, settings: InfraSettings) -> None:
    """Register provisioning's subscribers, each resuming from its tracking records."""

    @tracked_subscriber(
        broker, settings.topic(PROVISIONING_COMMANDS), group_id=GROUP, next_offset=app.next_offset
    )
    async def on_provisioning_commands(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_on_command, app))

    # Saga steps call the provider: instances on different partitions are provisioned in
    # parallel (`handle_records`), each instance's steps in order.
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=f"{GROUP}-saga",
        next_offset=app.next_offset,
        max_poll_interval_ms=15 * 60 * 1000,
        max_records=SAGA_BATCH,
    )
    async def on_instance_events(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_saga_step, app))

    watcher = ActionWatcher(app.provider, app.provider.poll_interval, BOOT_TIMEOUT_S)

    # A server boots in tens of seconds. The servers of a whole batch are watched together
    # (one poll a round for all), so a boot never holds up the instances behind it.
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=f"{GROUP}-boot",
        next_offset=lambda topic, partition: app.next_offset(topic, partition, BOOT_WATCH),
        max_poll_interval_ms=15 * 60 * 1000,
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
    async def on_dns_events(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_on_dns_event, app))


def _on_command(app: Provisioning, record: Any, position: Position) -> bool:
    try:
        command = COMMAND.validate_json(record.value)
        job_id = UUID(header(record.headers, envelope.COMMAND_ID) or "")
    except (ValidationError, ValueError) as error:
        log.error("dropping malformed command at %s: %s", position, error)
        return False
    app.handle_command(command, job_id, position)
    return True


def _on_dns_event(app: Provisioning, record: Any, position: Position) -> bool:
    payload = incoming_event(record)
    if isinstance(payload, contract.RecordCreated):
        app.record_dns(payload.instance_id, payload.record_id, payload.record_name, position)
        return True
    if isinstance(payload, contract.RecordFailed):
        app.dns_failed(payload.instance_id, payload.error_code, payload.error_message, position)
        return True
    return False


async def _settle_boots(app: Provisioning, watcher: ActionWatcher, records: list[Any]) -> None:
    """Wait for the servers created in one partition's records, then record how they ended."""
    booting: dict[UUID, int | None] = {}
    for record in records:
        payload = incoming_event(record)
        if isinstance(payload, contract.ServerCreated):
            booting[payload.instance_id] = payload.action_id
    states = await asyncio.gather(
        *(_boot(app, watcher, instance_id, action) for instance_id, action in booting.items())
    )
    outcomes = dict(zip(booting, states, strict=True))
    await handle_at(
        app,
        batch_position(records, BOOT_WATCH),
        lambda position: app.settle_boots(outcomes, position),
    )


async def _boot(
    app: Provisioning, watcher: ActionWatcher, instance_id: UUID, action_id: int | None
) -> ActionState:
    if action_id is None:
        return await asyncio.to_thread(app.boot_of_found_server, instance_id)
    return await watcher.finished(action_id)


def _saga_step(app: Provisioning, record: Any, position: Position) -> bool:
    payload = incoming_event(record)
    if payload is None or type(payload) not in SAGA_STEPS:
        return False
    if isinstance(payload, contract.InstanceCreated):
        app.provision_server(payload.instance_id, position)
    elif isinstance(payload, contract.ProvisioningFailed):
        app.compensate(payload.instance_id, position)
    else:
        operation = SAGA_STEPS[type(payload)]
        assert isinstance(payload, contract.OperationRequest) and operation is not None
        # The request names its job: only that job's operation, if still in progress, acts.
        app.carry_out(payload.instance_id, operation, payload.job_id, position)
    return True
