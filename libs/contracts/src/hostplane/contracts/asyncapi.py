"""The AsyncAPI 3 document of every Kafka topic and of the outgoing webhooks, generated from
the models in this package.

`python -m hostplane.contracts.asyncapi` prints it; the gateway serves it at
`/asyncapi.json`, and `docs/asyncapi.json` is the copy CI holds the models to. Each topic is a
channel (its partition count in the Kafka binding) with one message per payload type: an
event's CloudEvents type (`vps.active`), a command's `type`. Events carry the CloudEvents 1.0
binary-mode headers, commands their id and correlation; payload schemas are the models' JSON
schemas, shared under `components.schemas`. The outgoing webhooks (seed 003's events, POSTed
to each subscribed endpoint) are one more channel, on the `webhooks` server: its messages are
the event names, their body `WebhookPayload`, their headers the signatures a receiver checks.
"""

import json
import sys
from collections.abc import Iterable
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from hostplane.contracts import envelope
from hostplane.contracts.cloudvps.webhooks import WebhookEvent, WebhookPayload
from hostplane.contracts.commands.billing import BillingCommand
from hostplane.contracts.commands.provisioning import ProvisioningCommand
from hostplane.contracts.commands.support import SupportCommand
from hostplane.contracts.commands.webhooks import WebhookCommand
from hostplane.contracts.events import EVENT_TYPES
from hostplane.contracts.telemetry import LogBatch, ServerUsage, UsageBatch
from hostplane.contracts.topics import (
    ALL_TOPICS,
    BILLING_COMMANDS,
    PROVISIONING_COMMANDS,
    SUPPORT_COMMANDS,
    WEBHOOKS_COMMANDS,
    Topic,
)

VERSION = "1.0.0"
SCHEMA_REF = "#/components/schemas/{model}"
TELEMETRY: tuple[type[BaseModel], ...] = (LogBatch, UsageBatch, ServerUsage)


def _members(union: Any) -> tuple[type[BaseModel], ...]:
    """The models of an `Annotated[A | B | ..., Field(discriminator=...)]` union."""
    return get_args(get_args(union)[0])


COMMANDS: dict[Topic, tuple[type[BaseModel], ...]] = {
    PROVISIONING_COMMANDS: _members(ProvisioningCommand),
    BILLING_COMMANDS: _members(BillingCommand),
    WEBHOOKS_COMMANDS: _members(WebhookCommand),
    SUPPORT_COMMANDS: _members(SupportCommand),
}


def _header(description: str, **schema: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **schema}


CLOUDEVENT_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 in Kafka binary mode, and the W3C trace context",
    "required": [
        envelope.CE_SPECVERSION,
        envelope.CE_ID,
        envelope.CE_TYPE,
        envelope.CE_SOURCE,
        envelope.CE_TIME,
    ],
    "properties": {
        envelope.CE_SPECVERSION: _header("CloudEvents version", const="1.0"),
        envelope.CE_ID: _header(
            "stable id: the aggregate's id and version (`<id>:<version>`); a consumer that saw "
            "it before skips it"
        ),
        envelope.CE_TYPE: _header("the event type, e.g. `vps.active` or `invoice.paid`"),
        envelope.CE_SOURCE: _header("the publishing service, e.g. `hostplane/provisioning`"),
        envelope.CE_SUBJECT: _header("the aggregate's id (also the record's key)"),
        envelope.CE_TIME: _header("when the event happened (RFC 3339)", format="date-time"),
        envelope.CE_SEQUENCE: _header("the aggregate's version: events of one key in order"),
        envelope.CONTENT_TYPE: _header("the value's media type", const="application/json"),
        envelope.TRACEPARENT: _header("W3C trace context of the command that caused it"),
    },
}

COMMAND_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": [envelope.COMMAND_ID],
    "properties": {
        envelope.COMMAND_ID: _header(
            "the command's id, which is its job's: the same id sent twice is one job",
            format="uuid",
        ),
        envelope.CORRELATION_ID: _header("the request or saga the command belongs to"),
        envelope.CONTENT_TYPE: _header("the value's media type", const="application/json"),
        envelope.TRACEPARENT: _header("W3C trace context of the request that sent it"),
    },
}


WEBHOOK_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "Each delivery's signatures: seed 003's and the Standard Webhooks ones",
    "required": ["X-Webhook-Signature", "webhook-id", "webhook-timestamp", "webhook-signature"],
    "properties": {
        "X-Webhook-Signature": _header(
            "hex HMAC-SHA256 of the raw body with the endpoint's secret (the newest one)"
        ),
        "webhook-id": _header(
            "the delivery's id, the same on every attempt and redelivery: drop a repeat",
            format="uuid",
        ),
        "webhook-timestamp": _header("when this attempt was signed, in Unix seconds"),
        "webhook-signature": _header(
            "`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per active secret, "
            "space-separated (two for 24 h after a rotation)"
        ),
        "Content-Type": _header("the body's media type", const="application/json"),
        "User-Agent": _header("the sender", const="Hostplane-Webhooks/1"),
    },
}


def _webhooks(payload_ref: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """The webhooks' channel, its operation and its messages."""
    messages = {
        f"webhook__{event.value.replace('.', '_')}": {
            "name": event.value,
            "title": f"Webhook {event.value}",
            "summary": f"`{event.value}`, POSTed to every endpoint subscribed to it",
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/WebhookHeaders"},
            "payload": payload_ref,
        }
        for event in WebhookEvent
    }
    channel = {
        "address": None,  # each endpoint's own URL
        "title": "outgoing webhooks",
        "description": (
            "Signed HTTP POSTs to the endpoints admins register at /api/v1/admin/webhooks, "
            "each with its event filter; at least once, in order per VPS, invoice or user, "
            "retried with backoff for more than three days. Each body's `data` speaks seed "
            "003's words: a VPS's `status` is the one the API shows once the change has "
            "happened (`creating`, `running`, `stopped`, `suspended`), or `deleted`; "
            "`user_id` is the CloudVPS account (or a WHMCS client's dashboard user) whose "
            "VPS, invoice or payment it is, null for a customer without one."
        ),
        "servers": [{"$ref": "#/servers/webhooks"}],
        "messages": {
            key.removeprefix("webhook__"): {"$ref": f"#/components/messages/{key}"}
            for key in messages
        },
    }
    operation = {
        "action": "send",
        "channel": {"$ref": "#/channels/webhooks"},
        "messages": [
            {"$ref": f"#/channels/webhooks/messages/{key.removeprefix('webhook__')}"}
            for key in messages
        ],
    }
    return channel, operation, messages


def _messages_of(topic: Topic) -> list[tuple[str, type[BaseModel], str]]:
    """(message id, model, headers schema) for every payload a topic carries."""
    events = [
        (model.ce_type, model, "CloudEventHeaders")
        for model in EVENT_TYPES.values()
        if model.topic == topic
    ]
    commands = [
        (model.model_fields["type"].default, model, "CommandHeaders")
        for model in COMMANDS.get(topic, ())
    ]
    telemetry = [
        (model.__name__, model, "CloudEventHeaders")
        for model in TELEMETRY
        if model.topic == topic  # type: ignore[attr-defined]
    ]
    return sorted(events + commands + telemetry, key=lambda m: m[0])


def _schemas(models: Iterable[type[BaseModel]]) -> tuple[dict[type[BaseModel], Any], Any]:
    unique = sorted(set(models), key=lambda m: m.__name__)
    refs, shared = models_json_schema(
        [(model, "serialization") for model in unique], ref_template=SCHEMA_REF
    )
    return {model: refs[(model, "serialization")] for model in unique}, shared.get("$defs", {})


def _channel_id(topic: Topic) -> str:
    return topic.name.replace(".", "_")


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document (deterministic: the same models give the same bytes)."""
    per_topic = {topic: _messages_of(topic) for topic in ALL_TOPICS}
    refs, schemas = _schemas(
        [model for messages in per_topic.values() for _, model, _ in messages] + [WebhookPayload]
    )
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic, carried in per_topic.items():
        channel = _channel_id(topic)
        names = {}
        for name, model, headers in carried:
            key = f"{channel}__{name.replace('.', '_')}"
            messages[key] = {
                "name": name,
                "title": model.__name__,
                "summary": (model.__doc__ or name).strip().splitlines()[0],
                "contentType": "application/json",
                "headers": {"$ref": f"#/components/schemas/{headers}"},
                "payload": refs[model],
            }
            names[name.replace(".", "_")] = {"$ref": f"#/components/messages/{key}"}
        channels[channel] = {
            "address": topic.name,
            "servers": [{"$ref": "#/servers/kafka"}],
            "title": topic.name,
            "messages": names,
            "bindings": {"kafka": {"topic": topic.name, "partitions": topic.partitions}},
        }
        operations[f"consume_{channel}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{n}"} for n in names],
        }
    channels["webhooks"], operations["deliver_webhooks"], webhook_messages = _webhooks(
        refs[WebhookPayload]
    )
    messages.update(webhook_messages)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Hostplane topics and webhooks",
            "version": VERSION,
            "description": (
                "Every Kafka topic Hostplane publishes to or consumes from. Records are keyed "
                "by the aggregate they are about, so one key's records arrive in order. "
                "Event payloads are additive-only: a consumer ignores fields it does not know. "
                "Topic names carry the deployment's TOPIC_PREFIX, if any."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "the broker of a development stack (KAFKA_BOOTSTRAP_SERVERS)",
            },
            "webhooks": {
                "host": "subscribers.example.com",
                "protocol": "https",
                "description": "every endpoint an admin registered (its URL is its own)",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {
                "CloudEventHeaders": CLOUDEVENT_HEADERS,
                "CommandHeaders": COMMAND_HEADERS,
                "WebhookHeaders": WEBHOOK_HEADERS,
                **schemas,
            },
        },
    }


def rendered() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(rendered())
