"""The AsyncAPI document: valid AsyncAPI 3.0.0, a message for every payload on its topic with
the model's own schema, and `docs/asyncapi.json` in step with the models."""

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from pydantic import BaseModel

from hostplane.contracts.asyncapi import COMMANDS, document, rendered
from hostplane.contracts.cloudvps.webhooks import WebhookEvent, WebhookPayload
from hostplane.contracts.events import EVENT_TYPES
from hostplane.contracts.topics import ALL_TOPICS

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
# The published schema of AsyncAPI 3.0.0 (npm @asyncapi/specs 6.11.1, Apache-2.0).
SPEC = json.loads((HERE / "schemas/asyncapi-3.0.0.json").read_text())


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return document()


def _errors(candidate: dict[str, Any]) -> list[str]:
    return [str(e) for e in jsonschema_rs.validator_for(SPEC).iter_errors(candidate)]


def test_the_document_is_valid_asyncapi_3(doc: dict[str, Any]) -> None:
    assert _errors(doc) == []
    assert _errors({**doc, "channels": {"vps_events": {"address": 8}}}) != []  # it can fail


def _message(doc: dict[str, Any], topic: str, name: str) -> dict[str, Any]:
    channel = doc["channels"][topic.replace(".", "_")]
    ref = channel["messages"][name.replace(".", "_")]["$ref"]
    message: dict[str, Any] = doc["components"]["messages"][ref.rsplit("/", 1)[1]]
    return message


def _schema(doc: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["schemas"][
        message["payload"]["$ref"].rsplit("/")[-1]
    ]
    return schema


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_json_schema(mode="serialization")["properties"])


@pytest.mark.parametrize("ce_type", sorted(EVENT_TYPES))
def test_every_event_is_on_its_topic_with_its_fields(doc: dict[str, Any], ce_type: str) -> None:
    model = EVENT_TYPES[ce_type]
    message = _message(doc, model.topic.name, ce_type)
    assert message["name"] == ce_type
    assert message["headers"] == {"$ref": "#/components/schemas/CloudEventHeaders"}
    assert set(_schema(doc, message)["properties"]) == _fields(model)


def test_every_command_is_on_its_topic(doc: dict[str, Any]) -> None:
    for topic, models in COMMANDS.items():
        for model in models:
            name = model.model_fields["type"].default
            message = _message(doc, topic.name, name)
            assert message["headers"] == {"$ref": "#/components/schemas/CommandHeaders"}
            assert set(_schema(doc, message)["properties"]) == _fields(model)


def test_every_topic_is_a_channel_with_its_partitions(doc: dict[str, Any]) -> None:
    kafka = [c for c in doc["channels"].values() if c["servers"] == [{"$ref": "#/servers/kafka"}]]
    channels = {c["address"]: c for c in kafka}
    assert set(channels) == {t.name for t in ALL_TOPICS}
    for topic in ALL_TOPICS:
        assert channels[topic.name]["bindings"]["kafka"]["partitions"] == topic.partitions
        assert channels[topic.name]["messages"], f"{topic.name} carries no message"


def test_every_webhook_event_is_a_message_of_the_webhooks_channel(doc: dict[str, Any]) -> None:
    channel = doc["channels"]["webhooks"]
    assert channel["servers"] == [{"$ref": "#/servers/webhooks"}]
    for event in WebhookEvent:
        message = _message(doc, "webhooks", event.value)
        assert message["name"] == event.value
        assert message["headers"] == {"$ref": "#/components/schemas/WebhookHeaders"}
        assert set(_schema(doc, message)["properties"]) == _fields(WebhookPayload)
    sends = doc["operations"]["deliver_webhooks"]
    assert sends["action"] == "send" and len(sends["messages"]) == len(WebhookEvent)


def test_the_committed_document_is_the_generated_one() -> None:
    committed = (ROOT / "docs/asyncapi.json").read_text()
    assert committed == rendered(), "the models changed: run `make asyncapi` and commit it"
