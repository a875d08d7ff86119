"""The Stripe simulator, driven by the official `stripe` library, its webhooks received by a
small endpoint that verifies them as an integration would (`stripe.Webhook.construct_event`)."""

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import stripe
from fastapi import FastAPI, Request, Response
from stripe.params import PaymentIntentCreateParams
from stripe.params.checkout import SessionCreateParams

from hostplane.cloudsim.app import create_app
from hostplane.cloudsim.stripe_wire import decode_form
from tests.conftest import wait_until
from tools.cloudsim.tests.conftest import serve

SECRET_KEY = "sk_test_cloudsim"
WEBHOOK_SECRET = "whsec_cloudsim_tests"
PUBLIC_URL = "http://checkout.cloudsim.test"


@dataclass
class Receiver:
    """The webhook endpoint: what arrived (raw body and signature), in arrival order; it
    answers 500 to the first deliveries about an email listed in `fail_for`."""

    url: str = ""
    deliveries: list[tuple[bytes, str]] = field(default_factory=list)
    fail_for: dict[str, int] = field(default_factory=dict)

    def events(self, type_: str | None = None) -> list[stripe.Event]:
        """Every delivery, verified as Stripe's library verifies a webhook."""
        verified = [
            stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
            for body, signature in list(self.deliveries)
        ]
        return [e for e in verified if type_ in (None, e.type)]

    def about(self, type_: str, object_id: str) -> list[stripe.Event]:
        return [e for e in self.events(type_) if e.data.object["id"] == object_id]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    received = Receiver()
    app = FastAPI()

    @app.post("/stripe/webhook")
    async def webhook(request: Request) -> Response:
        body = await request.body()
        email = json.loads(body)["data"]["object"].get("email")
        if received.fail_for.get(email, 0) > 0:
            received.fail_for[email] -= 1
            return Response(status_code=500)
        received.deliveries.append((body, request.headers["stripe-signature"]))
        return Response(status_code=200)

    for url in serve(app):
        received.url = url
        yield received


@pytest.fixture(scope="module")
def stripe_sim(receiver: Receiver) -> Iterator[str]:
    env = {
        "CLOUDSIM_STRIPE_SECRET_KEY": SECRET_KEY,
        "CLOUDSIM_STRIPE_WEBHOOK_URL": f"{receiver.url}/stripe/webhook",
        "CLOUDSIM_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CLOUDSIM_PUBLIC_URL": PUBLIC_URL,
        # Checkout Sessions may expire 2 s after creation (Stripe: 30 minutes).
        "CLOUDSIM_STRIPE_CHECKOUT_MIN_EXPIRY": "2",
    }
    yield from serve(create_app(env))


@pytest.fixture
def client(stripe_sim: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": f"{stripe_sim}/stripe"}, max_network_retries=0
    )


@pytest.fixture
def admin(stripe_sim: str) -> httpx.Client:
    return httpx.Client(base_url=f"{stripe_sim}/_admin")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def checkout_params(invoice_id: str, expires_at: int | None = None) -> SessionCreateParams:
    params: SessionCreateParams = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": "eur",
                    "unit_amount": 1900,
                    "product_data": {"name": "VPS starter"},
                },
                "quantity": 2,
            }
        ],
        "client_reference_id": invoice_id,
        "success_url": "https://billing.example/paid?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://billing.example/canceled",
        "metadata": {"invoice_id": invoice_id},
        "payment_intent_data": {"metadata": {"invoice_id": invoice_id}},
    }
    if expires_at is not None:
        params["expires_at"] = expires_at
    return params


def test_form_bodies_decode_brackets_into_objects_and_lists() -> None:
    raw = (
        "line_items[0][price_data][currency]=eur&line_items[0][quantity]=2"
        "&line_items[1][quantity]=1&metadata[invoice_id]=inv-1&expand[]=customer&amount=5"
    )
    assert decode_form(raw) == {
        "line_items": [{"price_data": {"currency": "eur"}, "quantity": "2"}, {"quantity": "1"}],
        "metadata": {"invoice_id": "inv-1"},
        "expand": ["customer"],
        "amount": "5",
    }


def test_a_customer_gets_a_test_card_attached_made_default_and_detached(
    client: stripe.StripeClient, receiver: Receiver
) -> None:
    email = f"{unique('owner')}@example.com"
    customer = client.v1.customers.create({"email": email, "metadata": {"whmcs_client": "7"}})
    assert customer.id.startswith("cus_")
    assert customer.metadata is not None and customer.metadata["whmcs_client"] == "7"

    card = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    assert card.id.startswith("pm_") and card.id != "pm_card_visa"
    assert card.card is not None and card.customer == customer.id
    assert (card.card.brand, card.card.last4) == ("visa", "4242")
    updated = client.v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": card.id}}
    )
    assert updated.invoice_settings is not None
    assert updated.invoice_settings.default_payment_method == card.id
    listed = client.v1.payment_methods.list({"customer": customer.id, "type": "card"})
    assert [m.id for m in listed.data] == [card.id]
    nested = client.v1.customers.payment_methods.list(customer.id)
    assert [m.id for m in nested.data] == [card.id]

    detached = client.v1.payment_methods.detach(card.id)
    assert detached.customer is None
    settings = client.v1.customers.retrieve(customer.id).invoice_settings
    assert settings is not None and settings.default_payment_method is None
    assert client.v1.customers.list({"email": email}).data[0].id == customer.id
    wait_until(lambda: receiver.about("payment_method.detached", card.id), timeout=5)
    assert receiver.about("customer.created", customer.id)
    assert receiver.about("payment_method.attached", card.id)


def test_unknown_keys_and_objects_raise_the_library_s_own_errors(
    client: stripe.StripeClient, stripe_sim: str
) -> None:
    intruder = stripe.StripeClient(
        "sk_test_other", base_addresses={"api": f"{stripe_sim}/stripe"}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError):
        intruder.v1.customers.list()
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.retrieve("cus_doesnotexist00")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.InvalidRequestError) as no_amount:
        client.v1.payment_intents.create({"currency": "eur"})  # type: ignore[typeddict-item]
    assert no_amount.value.param == "amount"


def test_the_same_idempotency_key_charges_once(
    client: stripe.StripeClient, admin: httpx.Client
) -> None:
    invoice_id, key = unique("inv"), unique("charge")
    params: PaymentIntentCreateParams = {
        "amount": 1900,
        "currency": "eur",
        "payment_method": "pm_card_visa",
        "confirm": True,
        "off_session": True,
        "metadata": {"invoice_id": invoice_id},
    }
    first = client.v1.payment_intents.create(params, {"idempotency_key": key})
    again = client.v1.payment_intents.create(params, {"idempotency_key": key})

    assert first.id == again.id
    assert (first.status, again.status) == ("succeeded", "succeeded")
    assert isinstance(first.latest_charge, str) and first.latest_charge.startswith("ch_")
    charges = admin.get(
        "/stripe/charges", params={"metadata_key": "invoice_id", "value": invoice_id}
    ).json()
    assert [c["id"] for c in charges] == [first.latest_charge]
    intents = admin.get(
        "/stripe/payment_intents", params={"metadata_key": "invoice_id", "value": invoice_id}
    ).json()
    assert len(intents) == 1

    params["amount"] = 2900
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create(params, {"idempotency_key": key})


def test_a_declined_card_raises_card_error_and_the_intent_wants_another_card(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create({"email": f"{unique('poor')}@example.com"})
    card = client.v1.payment_methods.attach(
        "pm_card_chargeDeclinedInsufficientFunds", {"customer": customer.id}
    )
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.create(
            {
                "amount": 3900,
                "currency": "usd",
                "customer": customer.id,
                "payment_method": card.id,
                "confirm": True,
                "off_session": True,
            }
        )
    assert declined.value.http_status == 402
    assert declined.value.code == "card_declined"
    error = declined.value.error
    assert error is not None and error.decline_code == "insufficient_funds"
    assert error.payment_intent is not None
    intent_id = error.payment_intent.id
    intent = client.v1.payment_intents.retrieve(intent_id)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error is not None
    assert intent.last_payment_error.decline_code == "insufficient_funds"

    with pytest.raises(stripe.CardError) as generic:
        client.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_chargeDeclined"})
    assert generic.value.error is not None
    assert generic.value.error.decline_code == "generic_decline"
    paid = client.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_mastercard"})
    assert paid.status == "succeeded"
    listed = client.v1.payment_intents.list({"customer": customer.id})
    assert [i.id for i in listed.data] == [intent_id]


def test_a_checkout_session_paid_by_the_customer_completes_with_signed_webhooks(
    client: stripe.StripeClient, admin: httpx.Client, receiver: Receiver
) -> None:
    invoice_id = unique("inv")
    session = client.v1.checkout.sessions.create(checkout_params(invoice_id))
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert session.amount_total == 3800
    assert session.url == f"{PUBLIC_URL}/stripe/checkout/pay/{session.id}"

    paid = admin.post(f"/stripe/checkout/sessions/{session.id}/complete")
    assert paid.status_code == 200, paid.text
    done = client.v1.checkout.sessions.retrieve(session.id)
    assert (done.status, done.payment_status) == ("complete", "paid")
    assert isinstance(done.payment_intent, str)
    intent = client.v1.payment_intents.retrieve(done.payment_intent, {"expand": ["latest_charge"]})
    assert intent.status == "succeeded"
    assert intent.metadata["invoice_id"] == invoice_id
    assert isinstance(intent.latest_charge, stripe.Charge)
    assert intent.latest_charge.amount == 3800

    completed = wait_until(
        lambda: receiver.about("checkout.session.completed", session.id), timeout=5
    )
    assert completed[0].data.object["client_reference_id"] == invoice_id
    assert completed[0].data.object["payment_status"] == "paid"
    wait_until(lambda: receiver.about("payment_intent.succeeded", intent.id), timeout=5)
    again = admin.post(f"/stripe/checkout/sessions/{session.id}/complete")
    assert again.status_code == 409


def test_a_declined_checkout_payment_leaves_the_session_open(
    client: stripe.StripeClient, admin: httpx.Client, receiver: Receiver
) -> None:
    session = client.v1.checkout.sessions.create(checkout_params(unique("inv")))
    declined = admin.post(
        f"/stripe/checkout/sessions/{session.id}/complete",
        json={"payment_method": "pm_card_chargeDeclined"},
    )
    assert declined.status_code == 402
    assert declined.json()["error"]["decline_code"] == "generic_decline"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    intent_id = declined.json()["error"]["payment_intent"]["id"]
    wait_until(lambda: receiver.about("payment_intent.payment_failed", intent_id), timeout=5)

    paid = admin.post(
        f"/stripe/checkout/sessions/{session.id}/complete",
        json={"payment_method": "pm_card_visa"},
    )
    assert paid.json()["payment_intent"] == intent_id
    assert client.v1.payment_intents.retrieve(intent_id).status == "succeeded"


def test_a_checkout_session_expires_when_asked_and_at_its_expires_at(
    client: stripe.StripeClient, admin: httpx.Client, receiver: Receiver
) -> None:
    asked = client.v1.checkout.sessions.create(checkout_params(unique("inv")))
    expired = client.v1.checkout.sessions.expire(asked.id)
    assert (expired.status, expired.url) == ("expired", None)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(asked.id)
    assert admin.post(f"/stripe/checkout/sessions/{asked.id}/complete").status_code == 409

    with pytest.raises(stripe.InvalidRequestError) as too_soon:
        client.v1.checkout.sessions.create(
            checkout_params(unique("inv"), expires_at=int(time.time()))
        )
    assert too_soon.value.param == "expires_at"
    timed = client.v1.checkout.sessions.create(
        checkout_params(unique("inv"), expires_at=int(time.time()) + 3)
    )
    wait_until(lambda: receiver.about("checkout.session.expired", timed.id), timeout=6)
    assert client.v1.checkout.sessions.retrieve(timed.id).status == "expired"
    assert receiver.about("checkout.session.expired", asked.id)


def test_refunds_give_back_at_most_what_was_charged(
    client: stripe.StripeClient, admin: httpx.Client, receiver: Receiver
) -> None:
    intent = client.v1.payment_intents.create(
        {"amount": 2000, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True}
    )
    assert isinstance(intent.latest_charge, str)
    charge_id = intent.latest_charge
    part = client.v1.refunds.create({"payment_intent": intent.id, "amount": 500})
    assert (part.status, part.amount, part.charge) == ("succeeded", 500, charge_id)
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create({"payment_intent": intent.id, "amount": 1600})
    assert too_much.value.http_status == 400
    rest = client.v1.refunds.create(
        {"charge": charge_id, "metadata": {"reason": "cancelled order"}}
    )
    assert rest.amount == 1500
    metadata = client.v1.refunds.retrieve(rest.id).metadata
    assert metadata is not None and metadata["reason"] == "cancelled order"
    charge = client.v1.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.refunded) == (2000, True)
    assert {r["id"] for r in admin.get("/stripe/refunds").json()} >= {part.id, rest.id}
    refunded = wait_until(
        lambda: len(receiver.about("charge.refunded", charge.id)) == 2 or None, timeout=5
    )
    assert refunded


def test_a_resent_event_arrives_again_under_the_same_id(
    client: stripe.StripeClient, admin: httpx.Client, receiver: Receiver
) -> None:
    customer = client.v1.customers.create({"email": f"{unique('replay')}@example.com"})
    [first] = wait_until(lambda: receiver.about("customer.created", customer.id), timeout=5)

    assert admin.post(f"/stripe/events/{first.id}/resend").status_code == 200
    both = wait_until(
        lambda: [e for e in receiver.about("customer.created", customer.id)][1:] or None,
        timeout=5,
    )
    assert both[0].id == first.id

    def recorded() -> dict[str, Any] | None:
        # The receiver may see the second send before the simulator records its answer.
        [record] = [e for e in admin.get("/stripe/events").json() if e["id"] == first.id]
        delivered = [a["send"] for a in record["attempts"] if a["delivered"]]
        return record if len(delivered) == 2 else None

    record = wait_until(recorded, timeout=5)
    assert record["sends"] == 2
    assert [a["send"] for a in record["attempts"] if a["delivered"]] == [1, 2]


def test_held_deliveries_are_released_in_reverse_order(
    client: stripe.StripeClient, admin: httpx.Client, receiver: Receiver
) -> None:
    assert admin.post("/stripe/webhooks/hold").status_code == 200
    try:
        ids = [
            client.v1.customers.create({"email": f"{unique('held')}@example.com"}).id
            for _ in range(3)
        ]
        held = [e for e in admin.get("/stripe/events").json() if e["object_id"] in ids]
        assert [e["held"] for e in held] == [True, True, True]
        assert not any(receiver.about("customer.created", i) for i in ids)
    finally:
        released = admin.post("/stripe/webhooks/release", json={"order": "reverse"}).json()
    assert released["holding"] is False

    def arrived() -> list[str] | None:
        order = [e.data.object["id"] for e in receiver.events("customer.created")]
        return [i for i in order if i in ids] if set(ids) <= set(order) else None

    assert wait_until(arrived, timeout=5) == list(reversed(ids))


def test_a_failed_delivery_is_tried_again(
    client: stripe.StripeClient, admin: httpx.Client, receiver: Receiver
) -> None:
    email = f"{unique('flaky')}@example.com"
    receiver.fail_for[email] = 2
    customer = client.v1.customers.create({"email": email})

    wait_until(lambda: receiver.about("customer.created", customer.id), timeout=10)
    [record] = [
        e
        for e in admin.get("/stripe/events", params={"type": "customer.created"}).json()
        if e["object_id"] == customer.id
    ]
    assert [(a["attempt"], a["status"]) for a in record["attempts"]] == [
        (1, 500),
        (2, 500),
        (3, 200),
    ]


def test_an_injected_fault_reaches_the_client(
    client: stripe.StripeClient, admin: httpx.Client
) -> None:
    [fault] = admin.post(
        "/faults",
        json={
            "path": "/stripe/v1/payment_intents",
            "method": "POST",
            "kind": "status",
            "status": 503,
            "times": 1,
        },
    ).json()
    try:
        params: PaymentIntentCreateParams = {"amount": 1000, "currency": "eur"}
        with pytest.raises(stripe.APIError) as unavailable:
            client.v1.payment_intents.create(params)
        assert unavailable.value.http_status == 503
        assert client.v1.payment_intents.create(params).status == "requires_payment_method"
    finally:
        admin.delete(f"/faults/{fault['id']}")


def test_a_charge_whose_answer_was_lost_is_answered_again_under_its_key(
    client: stripe.StripeClient, admin: httpx.Client
) -> None:
    invoice_id, key = unique("inv"), unique("charge")
    [fault] = admin.post(
        "/faults",
        json={
            "path": "/stripe/v1/payment_intents",
            "method": "POST",
            "kind": "action_error",
            "times": 1,
        },
    ).json()
    params: PaymentIntentCreateParams = {
        "amount": 4900,
        "currency": "eur",
        "payment_method": "pm_card_visa",
        "confirm": True,
        "metadata": {"invoice_id": invoice_id},
    }
    try:
        with pytest.raises(stripe.APIError) as lost:
            client.v1.payment_intents.create(params, {"idempotency_key": key})
        assert lost.value.http_status == 500
    finally:
        admin.delete(f"/faults/{fault['id']}")

    retried = client.v1.payment_intents.create(params, {"idempotency_key": key})
    assert retried.status == "succeeded"
    charges = admin.get(
        "/stripe/charges",
        params={"metadata_key": "invoice_id", "value": invoice_id, "status": "succeeded"},
    ).json()
    assert [c["payment_intent"] for c in charges] == [retried.id]


def test_a_card_paid_on_the_checkout_page_is_kept_for_off_session_renewals(
    client: stripe.StripeClient, stripe_sim: str
) -> None:
    customer = client.v1.customers.create({"email": f"{unique('renew')}@example.com"})
    params = checkout_params(unique("inv"))
    params["customer"] = customer.id
    params["payment_intent_data"] = {"setup_future_usage": "off_session"}
    session = client.v1.checkout.sessions.create(params)
    assert session.url is not None
    page = session.url.replace(PUBLIC_URL, stripe_sim)

    assert "3800" in httpx.get(page).text
    paid = httpx.post(page, data={"payment_method": "pm_card_mastercard"})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"https://billing.example/paid?session={session.id}"

    [card] = client.v1.customers.payment_methods.list(customer.id).data
    assert card.card is not None and card.card.brand == "mastercard"
    renewal = client.v1.payment_intents.create(
        {
            "amount": 3800,
            "currency": "eur",
            "customer": customer.id,
            "payment_method": card.id,
            "confirm": True,
            "off_session": True,
        }
    )
    assert renewal.status == "succeeded"
