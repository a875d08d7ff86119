"""Stripe's webhook: signed events about an invoice's payment become billing's commands,
once per event; anything unsigned, stale or not about an invoice sends nothing."""

import hashlib
import hmac
import json
import time
from typing import Any
from uuid import UUID, uuid4

from httpx import Response

from hostplane.contracts.commands.billing import RecordStripeEvent
from hostplane.contracts.identity import stripe_event_command_id
from hostplane.contracts.topics import BILLING_COMMANDS
from services.gateway.tests.fakes import Api

WEBHOOK = "/api/payments/stripe/webhook"


def signed(body: bytes, secret: str, at: int | None = None) -> str:
    """`Stripe-Signature` as Stripe writes it."""
    t = at if at is not None else int(time.time())
    v1 = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={v1}"


def deliver(api: Api, event: dict[str, Any], signature: str | None = "") -> Response:
    body = json.dumps(event).encode()
    if signature == "":
        signature = signed(body, api.settings.stripe_webhook_secret)
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    response: Response = api.panel.post(WEBHOOK, content=body, headers=headers)
    return response


def session_completed(invoice_id: UUID, tenant_id: UUID, **metadata: str) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid4().hex[:12]}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": 1767614400,
        "data": {
            "object": {
                "id": "cs_test_1",
                "object": "checkout.session",
                "payment_intent": "pi_1",
                "amount_total": 999,
                "currency": "usd",
                "metadata": {
                    "invoice_id": str(invoice_id),
                    "tenant_id": str(tenant_id),
                    **metadata,
                },
            }
        },
    }


def test_a_signed_event_about_an_invoice_becomes_one_command(api: Api) -> None:
    invoice_id, tenant_id = uuid4(), uuid4()
    event = session_completed(invoice_id, tenant_id)
    response = deliver(api, event)
    assert response.status_code == 200
    assert response.content == b""
    [(topic, key, command)] = api.broker.commands
    assert (topic, key) == (BILLING_COMMANDS, invoice_id)
    assert api.broker.command_ids == [stripe_event_command_id(event["id"])]
    assert command == RecordStripeEvent(
        tenant_id=tenant_id,
        invoice_id=invoice_id,
        event_id=event["id"],
        event_type="checkout.session.completed",
        created=1767614400,
        payment_intent_id="pi_1",
        session_id="cs_test_1",
        amount=999,
        currency="USD",
    )


def test_a_replayed_event_is_the_same_job(api: Api) -> None:
    event = session_completed(uuid4(), uuid4())
    deliver(api, event)
    deliver(api, event)
    first, again = api.broker.command_ids
    assert first == again == stripe_event_command_id(event["id"])


def test_a_failed_payment_carries_stripes_reason(api: Api) -> None:
    invoice_id, tenant_id = uuid4(), uuid4()
    event = {
        "id": "evt_failed_1",
        "type": "payment_intent.payment_failed",
        "created": 1767614401,
        "data": {
            "object": {
                "id": "pi_2",
                "object": "payment_intent",
                "amount": 999,
                "amount_received": 0,
                "currency": "usd",
                "last_payment_error": {"code": "card_declined", "message": "Declined"},
                "metadata": {"invoice_id": str(invoice_id), "tenant_id": str(tenant_id)},
            }
        },
    }
    assert deliver(api, event).status_code == 200
    [(_, _, command)] = api.broker.commands
    assert isinstance(command, RecordStripeEvent)
    assert (command.payment_intent_id, command.session_id) == ("pi_2", None)
    assert (command.failure_code, command.failure_message) == ("card_declined", "Declined")
    assert command.amount == 0


def test_bad_missing_or_stale_signatures_are_refused_and_send_nothing(api: Api) -> None:
    event = session_completed(uuid4(), uuid4())
    body = json.dumps(event).encode()
    stale = int(time.time()) - 301
    for signature in (
        signed(body, "whsec_someone_else"),
        signed(body, api.settings.stripe_webhook_secret, at=stale),
        "t=1,v1=00",
        None,
    ):
        response = deliver(api, event, signature)
        assert response.status_code == 400, signature
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert api.broker.commands == []


def test_events_not_about_an_invoice_are_acknowledged_and_dropped(api: Api) -> None:
    event = session_completed(uuid4(), uuid4())
    event["data"]["object"]["metadata"] = {"order": "elsewhere"}
    assert deliver(api, event).status_code == 200
    customer = {
        "id": "evt_customer",
        "type": "customer.created",
        "created": 1,
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }
    assert deliver(api, customer).status_code == 200
    assert api.broker.commands == []
