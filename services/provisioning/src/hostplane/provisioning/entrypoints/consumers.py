"""Kafka subscribers: commands, the instance's own events (saga steps), and DNS outcomes."""

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from hostplane.contracts import envelope
from hostplane.contracts import events as contract
from hostplane.contracts.commands import provisioning as commands
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
from hostplane.provisioning.adapters.provider import BootState
from hostplane.provisioning.application import Provisioning, handle_command
from hostplane.provisioning.application.backups import remove_backup, take_backup
from hostplane.provisioning.domain.operations import Operation

log = logging.getLogger(__name__)

COMMAND = TypeAdapter[commands.ProvisioningCommand](commands.ProvisioningCommand)

GROUP = "provisioning"
# A saga step may wait on the provider: a consumer takes a bounded share of its partition.
SAGA_BATCH = 100

# The boot watch reads vps.events beside the saga steps, so it keeps tracking records apart.
BOOT_WATCH = "boot"


def subscribe(broker: KafkaBroker, app: Provisioning, settings: InfraSettings) -> None:
    """Register provisioning's subscribers, each resuming from its tracking records."""

    @tracked_subscriber(
        broker,
        settings.topic(PROVISIONING_COMMANDS),
        group_id=settings.group(GROUP),
        next_offset=app.next_offset,
    )
    async def on_provisioning_commands(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_on_command, app))

    # Saga steps call the provider: instances on different partitions are provisioned in
    # parallel (`handle_records`), each instance's steps in order.
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=settings.group(f"{GROUP}-saga"),
        next_offset=app.next_offset,
        max_poll_interval_ms=15 * 60 * 1000,
        max_records=SAGA_BATCH,
    )
    async def on_instance_events(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_saga_step, app))

    # A server boots in tens of seconds. The servers of a whole batch are watched together
    # (one poll a round for all), so a boot never holds up the instances behind it.
    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=settings.group(f"{GROUP}-boot"),
        next_offset=lambda topic, partition: app.next_offset(topic, partition, BOOT_WATCH),
        max_poll_interval_ms=15 * 60 * 1000,
    )
    async def on_servers_booting(message: KafkaMessage) -> None:
        await asyncio.gather(
            *(
                _settle_boots(app, records)
                for records in await asyncio.to_thread(unprocessed, app, message, BOOT_WATCH)
            )
        )

    @tracked_subscriber(
        broker,
        settings.topic(DNS_EVENTS),
        group_id=settings.group(f"{GROUP}-dns"),
        next_offset=app.next_offset,
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
    handle_command(app, command, job_id, position)
    return True


# What each dns.events payload does to the instance it names.
DNS_OUTCOMES: dict[type[Any], Callable[[Provisioning, Any, Position], None]] = {
    contract.RecordCreated: lambda app, e, position: app.record_dns(
        e.instance_id, e.record_id, e.record_name, e.provider, position
    ),
    contract.RecordFailed: lambda app, e, position: app.dns_failed(
        e.instance_id, e.error_code, e.error_message, position
    ),
}


def _on_dns_event(app: Provisioning, record: Any, position: Position) -> bool:
    payload = incoming_event(record)
    react = DNS_OUTCOMES.get(type(payload))
    if react is None:
        return False
    react(app, payload, position)
    return True


def _carry_out(operation: Operation) -> Callable[[Provisioning, Any, Position], None]:
    # The request names its job: only that job's operation, if still in progress, acts.
    return lambda app, e, position: app.carry_out(e.instance_id, operation, e.job_id, position)


# The saga's step for each vps.events payload that calls for one.
SAGA_STEPS: dict[type[Any], Callable[[Provisioning, Any, Position], None]] = {
    contract.InstanceCreated: lambda app, e, position: app.provision_server(
        e.instance_id, position
    ),
    contract.ProvisioningFailed: lambda app, e, position: app.compensate(e.instance_id, position),
    contract.SuspendRequested: _carry_out(Operation.SUSPEND),
    contract.UnsuspendRequested: _carry_out(Operation.UNSUSPEND),
    contract.TerminateRequested: _carry_out(Operation.TERMINATE),
    contract.RebootRequested: _carry_out(Operation.REBOOT),
    contract.ResizeRequested: _carry_out(Operation.RESIZE),
    contract.RestoreRequested: _carry_out(Operation.RESTORE),
    contract.BackupRequested: lambda app, e, position: take_backup(app, e.backup_id, position),
    contract.BackupDeletionRequested: lambda app, e, position: remove_backup(
        app, e.backup_id, e.job_id, position
    ),
    contract.StopRequested: _carry_out(Operation.STOP),
    contract.StartRequested: _carry_out(Operation.START),
    contract.RebuildRequested: _carry_out(Operation.REBUILD),
}


def _saga_step(app: Provisioning, record: Any, position: Position) -> bool:
    payload = incoming_event(record)
    step = SAGA_STEPS.get(type(payload))
    if step is None:
        return False
    step(app, payload, position)
    return True


async def _settle_boots(app: Provisioning, records: list[Any]) -> None:
    """Wait for the servers created in one partition's records, then record how they ended."""
    created = [
        payload
        for payload in map(incoming_event, records)
        if isinstance(payload, contract.ServerCreated)
    ]
    states: list[BootState] = await asyncio.gather(
        *(app.boot_outcome(e.instance_id, e.provider, _boot_of(e)) for e in created)
    )
    outcomes = {e.instance_id: state for e, state in zip(created, states, strict=True)}
    await handle_at(
        app,
        batch_position(records, BOOT_WATCH),
        lambda position: app.settle_boots(outcomes, position),
    )


def _boot_of(event: contract.ServerCreated) -> str | None:
    """What to watch: events published before `boot` name Hetzner's action by its id."""
    if event.boot is not None:
        return event.boot
    return None if event.action_id is None else str(event.action_id)
