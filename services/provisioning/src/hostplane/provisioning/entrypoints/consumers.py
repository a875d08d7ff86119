"""Kafka subscribers: commands, the instance's own events (saga steps), and DNS outcomes."""

import logging
from uuid import UUID

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from hostplane.contracts import commands, envelope
from hostplane.contracts import events as contract
from hostplane.contracts.topics import DNS_EVENTS, PROVISIONING_COMMANDS, VPS_EVENTS
from hostplane.messaging.cloudevents import header
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import ResumeFromTracking, handle_once
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
}

GROUP = "provisioning"


def subscribe(broker: KafkaBroker, app: Provisioning, settings: InfraSettings) -> None:
    """Register provisioning's three subscribers, each resuming from its tracking records."""

    def tracked(group: str) -> tuple[ResumeFromTracking, dict[str, object]]:
        listener = ResumeFromTracking(app.next_offset)
        options: dict[str, object] = {
            "group_id": group,
            "ack_policy": AckPolicy.NACK_ON_ERROR,
            "auto_offset_reset": "earliest",
            "listener": listener,
            "max_poll_interval_ms": 15 * 60 * 1000,
        }
        return listener, options

    listener, options = tracked(GROUP)

    @broker.subscriber(settings.topic(PROVISIONING_COMMANDS), **options)  # type: ignore[call-overload]
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

    listener.consumer = lambda: on_provisioning_command.consumer

    saga_listener, saga_options = tracked(f"{GROUP}-saga")

    @broker.subscriber(settings.topic(VPS_EVENTS), **saga_options)  # type: ignore[call-overload]
    async def on_instance_event(message: KafkaMessage) -> None:
        payload = _event(message)
        if payload is None or type(payload) not in SAGA_STEPS:
            return
        assert isinstance(payload, contract.VpsEvent)
        await handle_once(app, message, lambda position: _saga_step(app, payload, position))

    saga_listener.consumer = lambda: on_instance_event.consumer

    dns_listener, dns_options = tracked(f"{GROUP}-dns")

    @broker.subscriber(settings.topic(DNS_EVENTS), **dns_options)  # type: ignore[call-overload]
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

    dns_listener.consumer = lambda: on_dns_event.consumer


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
