"""`/_admin/stripe`: what tests do in Stripe's place (a customer paying on the Checkout page)
and what they look at (every event with its deliveries, payments by metadata), and the
webhook tricks that test an integration's handler: replays and reordering."""

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from hostplane.cloudsim.stripe import Stripe
from hostplane.cloudsim.stripe_objects import Charge, EventRecord, PaymentIntent
from hostplane.cloudsim.stripe_wire import StripeError, Wire, no_such


def _event_json(record: EventRecord, held: bool) -> Wire:
    return {
        "id": record.id,
        "type": record.event["type"],
        "object_id": record.event["data"]["object"].get("id"),
        "sends": record.sends,
        "held": held,
        "delivered": any(a.delivered for a in record.attempts),
        "attempts": [{**asdict(a), "delivered": a.delivered} for a in record.attempts],
        "event": record.event,
    }


def _matching(
    objects: Iterable[PaymentIntent | Charge],
    key: str | None,
    value: str | None,
    status: str | None,
) -> list[Wire]:
    wires = [o.wire() for o in objects]
    return [
        w
        for w in wires
        if (key is None or w["metadata"].get(key) == value) and status in (None, w["status"])
    ]


async def _json(request: Request) -> dict[str, Any]:
    body = await request.body()
    return dict(await request.json()) if body.strip() else {}


def stripe_admin_router(stripe: Stripe) -> APIRouter:
    r = APIRouter(prefix="/_admin/stripe")
    account, webhooks = stripe.account, stripe.webhooks

    @r.post("/checkout/sessions/{session_id}/complete")
    async def complete(session_id: str, request: Request) -> Response:
        """The customer pays (`{"payment_method": "pm_card_visa"}` by default): 200 with the
        complete session, 402 with Stripe's card_error when the card declines, 409 when the
        session is no longer open."""
        card = (await _json(request)).get("payment_method", "pm_card_visa")
        try:
            session = account.session(session_id)
            return JSONResponse(account.complete(session, str(card)).wire())
        except StripeError as error:
            return error.response()

    @r.get("/checkout/sessions")
    async def sessions() -> Any:
        return [s.wire() for s in account.state.sessions.values()]

    @r.get("/customers")
    async def customers() -> Any:
        return [c.wire() for c in account.state.customers.values()]

    @r.get("/payment_intents")
    async def payment_intents(
        metadata_key: str | None = None, value: str | None = None, status: str | None = None
    ) -> Any:
        """PaymentIntents, oldest first, optionally those whose metadata[key] is `value`."""
        return _matching(account.state.payment_intents.values(), metadata_key, value, status)

    @r.get("/charges")
    async def charges(
        metadata_key: str | None = None, value: str | None = None, status: str | None = None
    ) -> Any:
        """Charges (failed ones too: `status=succeeded` counts money taken), oldest first;
        a charge carries its PaymentIntent's metadata."""
        return _matching(account.state.charges.values(), metadata_key, value, status)

    @r.get("/refunds")
    async def refunds() -> Any:
        return [refund.wire() for refund in account.state.refunds.values()]

    @r.get("/events")
    async def events(type: str | None = None) -> Any:
        """Every event, oldest first, with each delivery attempt's status."""
        held = {record.id for record, _ in account.state.held}
        return [
            _event_json(record, record.id in held)
            for record in account.state.events
            if type in (None, record.event["type"])
        ]

    @r.post("/events/{event_id}/resend")
    async def resend(event_id: str) -> Response:
        """Deliver an event once more, under the same id (a replay, as Stripe may do)."""
        record = next((e for e in account.state.events if e.id == event_id), None)
        if record is None:
            return no_such("event", event_id).response()
        webhooks.send(record)
        held = any(waiting is record for waiting, _ in account.state.held)
        return JSONResponse(_event_json(record, held))

    @r.post("/webhooks/hold")
    async def hold() -> Any:
        """Keep deliveries back from now on, until a release."""
        webhooks.hold()
        return {"holding": True}

    @r.post("/webhooks/release")
    async def release(request: Request) -> Response:
        """Send what was held, in `{"order": "sent"}` (default) or `"reverse"` order."""
        order = (await _json(request)).get("order", "sent")
        if order not in ("sent", "reverse"):
            return JSONResponse({"error": "order is `sent` or `reverse`"}, 400)
        return JSONResponse({"holding": False, "released": webhooks.release(order)})

    return r
