"""Stripe's events and their delivery to the webhook endpoint, signed as Stripe signs them.

Every event is kept (the admin API lists it with its delivery attempts). Deliveries run in
background tasks, never inside the request that caused the event, since Stripe's do not
either: an integration must not assume the webhook arrives after the API's answer, nor only
once, nor in order. Tests provoke the last two on purpose: a resend delivers an event again
under the same id, and a hold keeps deliveries back until a release sends them in the order
asked for.
"""

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from hostplane.cloudsim.state import World
from hostplane.cloudsim.stripe_objects import API_VERSION, DeliveryAttempt, EventRecord
from hostplane.cloudsim.stripe_wire import Wire, new_id

ReleaseOrder = Literal["sent", "reverse"]
# A failed delivery (not 2xx, or no answer) is tried again after 0.5 s, 1 s, 2 s, … up to
# 8 s apart (scaled by the world's time factor), 8 times in all; Stripe tries for 3 days.
ATTEMPTS = 8
FIRST_PAUSE_S = 0.5
LONGEST_PAUSE_S = 8.0
REQUEST_TIMEOUT_S = 10.0


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """`Stripe-Signature`: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed by the
    endpoint's secret>`, what `stripe.Webhook.construct_event` verifies."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class WebhookEndpoint:
    """Where events go (none: they are only recorded) and the secret they are signed with."""

    url: str | None
    secret: str


class StripeWebhooks:
    def __init__(self, world: World, endpoint: WebhookEndpoint) -> None:
        self.world, self.endpoint = world, endpoint
        self.tasks: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None

    def emit(self, type_: str, obj: Wire) -> EventRecord:
        """Record an event about `obj` (a snapshot of it now) and send it."""
        event = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "type": type_,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1 if self.endpoint.url else 0,
            "request": {"id": None, "idempotency_key": None},
        }
        record = EventRecord(event)
        self.world.stripe.events.append(record)
        self.send(record)
        return record

    def send(self, record: EventRecord) -> None:
        """Deliver an event (again, for a resend), or keep it back while deliveries are held."""
        if self.endpoint.url is None:
            return
        record.sends += 1
        if self.world.stripe.holding:
            self.world.stripe.held.append((record, record.sends))
        else:
            self._spawn(self._deliver(record, record.sends))

    def hold(self) -> None:
        self.world.stripe.holding = True

    def release(self, order: ReleaseOrder) -> list[str]:
        """Stop holding and send what was held, one after another in `order`; a delivery that
        fails is retried in the background without keeping the next one waiting."""
        stripe = self.world.stripe
        held = stripe.held if order == "sent" else list(reversed(stripe.held))
        stripe.holding, stripe.held = False, []
        self._spawn(self._deliver_in_order(held))
        return [record.id for record, _ in held]

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self._http is not None:
            await self._http.aclose()

    # ---- delivery ----------------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _deliver_in_order(self, sends: list[tuple[EventRecord, int]]) -> None:
        for record, send in sends:
            if not await self._attempt(record, send, 1):
                self._spawn(self._deliver(record, send, first_attempt=2))

    async def _deliver(self, record: EventRecord, send: int, first_attempt: int = 1) -> None:
        for attempt in range(first_attempt, ATTEMPTS + 1):
            if attempt > 1:
                pause = min(FIRST_PAUSE_S * 2 ** (attempt - 2), LONGEST_PAUSE_S)
                await asyncio.sleep(pause / self.world.config.time_factor)
            if await self._attempt(record, send, attempt):
                return

    async def _attempt(self, record: EventRecord, send: int, attempt: int) -> bool:
        """POST the event once, signed now; True when the endpoint took it (2xx)."""
        assert self.endpoint.url is not None
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S)
        payload = json.dumps(record.event, indent=2).encode()
        entry = DeliveryAttempt(send=send, attempt=attempt, at=time.time())
        record.attempts.append(entry)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": signature_header(payload, self.endpoint.secret, int(time.time())),
        }
        try:
            response = await self._http.post(self.endpoint.url, content=payload, headers=headers)
            entry.status = response.status_code
        except httpx.HTTPError as exc:
            entry.error = repr(exc)
        return entry.delivered
