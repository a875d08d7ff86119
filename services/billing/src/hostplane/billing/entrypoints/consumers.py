"""Kafka subscribers: billing's commands, the instance events of its CloudPods, and its own
renewals, whose saved payment methods are charged once they are stored, and accounts
suspended or reactivated, whose servers follow them."""

import json
import logging
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from hostplane.billing.adapters.customer_servers import ViewsCustomerServers
from hostplane.billing.application import (
    Billing,
    account_holds,
    handle_command,
    handle_commands_together,
    lifecycle,
)
from hostplane.billing.domain.cloudpod import CloudPod
from hostplane.billing.domain.order import Order
from hostplane.contracts import billing_events as be
from hostplane.contracts import envelope
from hostplane.contracts import events as contract
from hostplane.contracts.commands import billing as commands
from hostplane.contracts.topics import BILLING_COMMANDS, BILLING_EVENTS, VPS_EVENTS
from hostplane.messaging.cloudevents import header, incoming_event
from hostplane.messaging.eventstore import Position
from hostplane.messaging.kafka import handle_record_runs, handle_records, tracked_subscriber
from hostplane.messaging.settings import InfraSettings

log = logging.getLogger(__name__)

COMMAND = TypeAdapter[commands.BillingCommand](commands.BillingCommand)
GROUP = "billing"


def subscribe(broker: KafkaBroker, app: Billing, settings: InfraSettings) -> None:
    """Register billing's subscribers, each resuming from its tracking records."""

    @tracked_subscriber(
        broker,
        settings.topic(BILLING_COMMANDS),
        group_id=settings.group(GROUP),
        next_offset=app.next_offset,
    )
    async def on_billing_commands(message: KafkaMessage) -> None:
        await handle_record_runs(
            app,
            message,
            partial(_on_command, app),
            partial(_on_commands_together, app),
            _is_renewal,
        )

    @tracked_subscriber(
        broker,
        settings.topic(VPS_EVENTS),
        group_id=settings.group(f"{GROUP}-instances"),
        next_offset=app.next_offset,
    )
    async def on_instance_events(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_on_instance_event, app))

    servers = ViewsCustomerServers(settings.database_url)

    @tracked_subscriber(
        broker,
        settings.topic(BILLING_EVENTS),
        group_id=settings.group(f"{GROUP}-renewals"),
        next_offset=app.next_offset,
    )
    async def on_billing_events(message: KafkaMessage) -> None:
        await handle_records(app, message, partial(_on_billing_event, app, servers))


def _command(record: Any, position: Position) -> tuple[commands.BillingCommand, UUID] | None:
    try:
        command = COMMAND.validate_json(record.value)
        return command, UUID(header(record.headers, envelope.COMMAND_ID) or "")
    except (ValidationError, ValueError) as error:
        log.error("dropping malformed command at %s: %s", position, error)
        return None


def _on_command(app: Billing, record: Any, position: Position) -> bool:
    parsed = _command(record, position)
    if parsed is None:
        return False
    handle_command(app, *parsed, position)
    return True


def _is_renewal(record: Any) -> bool:
    """Renewals come in bulk, from the timer: runs of them are carried out together."""
    try:
        return bool(json.loads(record.value).get("type") == "RenewSubscription")
    except (ValueError, AttributeError):
        return False


def _on_commands_together(app: Billing, records: list[Any], position: Position) -> bool:
    batch = [parsed for record in records if (parsed := _command(record, position))]
    handle_commands_together(app, batch, position)
    return True


def _activated(app: Billing, event: Any, position: Position | None) -> None:
    """A CloudPod's instance runs: its order completes when all of its pods do."""
    pod = app.find(CloudPod, event.instance_id)
    if pod is None or not pod.activate():
        app.save_tracked(position=position)
        return
    order = app.find(Order, pod.order_id) if pod.order_id else None
    if order is not None:
        order.instance_active(pod.id)
    app.save_tracked(pod, order, position=position)


def _failed(app: Billing, event: Any, position: Position | None) -> None:
    """A CloudPod's instance could not be made: the order fails, its invoice is refunded."""
    pod = app.find(CloudPod, event.instance_id)
    changed = (
        []
        if pod is None
        else lifecycle.instance_failed(app, pod, event.error_code, event.error_message)
    )
    app.save_tracked(*changed, position=position)


# What billing does for each vps.events payload about its CloudPods; the others pass by.
INSTANCE_OUTCOMES: dict[type[Any], Callable[[Billing, Any, Position | None], None]] = {
    contract.InstanceActivated: _activated,
    contract.InstanceErrored: _failed,
}


def _on_instance_event(app: Billing, record: Any, position: Position) -> bool:
    payload = incoming_event(record)
    react = INSTANCE_OUTCOMES.get(type(payload))
    if react is None:
        return False
    react(app, payload, position)
    return True


# Account events whose reactions hold or release the account's servers.
ACCOUNT_HOLDS = {kind.ce_type for kind in account_holds.REACTIONS}


def _on_billing_event(
    app: Billing, servers: account_holds.CustomerServers, record: Any, position: Position
) -> bool:
    """A renewal to charge, or an account suspended or reactivated."""
    if header(record.headers, envelope.CE_TYPE) not in ACCOUNT_HOLDS:
        return _on_renewal(app, record, position)
    payload = incoming_event(record)
    react = account_holds.REACTIONS[type(payload)]
    app.save_tracked(*react(app, servers, payload), position=position)
    return True


def _on_renewal(app: Billing, record: Any, position: Position) -> bool:
    """A stored renewal's invoice is charged to the saved payment method, if there is one."""
    if header(record.headers, envelope.CE_TYPE) != be.SubscriptionRenewed.ce_type:
        return False  # most of billing's events: passed by without being parsed
    payload = incoming_event(record)
    if not isinstance(payload, be.SubscriptionRenewed) or not payload.autopay:
        return False
    app.save_tracked(*lifecycle.charge_renewal(app, payload.invoice_id), position=position)
    return True
