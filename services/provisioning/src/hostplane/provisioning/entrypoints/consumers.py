"""Kafka subscribers: commands, the instance's own events (saga steps), and DNS outcomes."""

import logging
from uuid import UUID

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from hostplane.contracts import commands, envelope
from hostplane.contracts import events as contract
from hostplane.contracts.topics import DNS_EVENTS, PROVISIONING_COMMANDS, VPS_EVENTS
from hostplane.messaging.cloudevents import header
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import handle_once, tracked_subscriber
from hostplane.messaging.settings import InfraSettings
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


def subscribe(broker: KafkaBroker, app: Provisioning, settings: InfraSettings) -> None:
    """Register provisioning's three subscribers, each resuming from its tracking records."""

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

    # Saga steps wait for the provider (a server boots in tens of seconds): one consumer per
    # partition, so instances on different partitions are provisioned in parallel.
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
    ce_type = header(message.headers, envelope.CE_TYPE) or ""
    try:
        return contract.parse_event(ce_type, message.body)
    except ValidationError as error:
        log.error("dropping malformed %s event: %s", ce_type, error)
        return None
