"""Stripe's API under `/stripe/v1`, as the official `stripe` library uses it, and the hosted
Checkout page under `/stripe/checkout/pay`.

This module is the edge: secret keys, Idempotency-Keys, `expand`, and the page a customer
pays on. What each endpoint does is in `stripe_api` (forms) and `stripe_account` (state).
"""

import html
import itertools
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from hostplane.cloudsim.faults import action_should_fail
from hostplane.cloudsim.state import World
from hostplane.cloudsim.stripe_account import StripeAccount
from hostplane.cloudsim.stripe_api import Call, Handler, StripeApi
from hostplane.cloudsim.stripe_objects import TEST_CARDS, SavedAnswer
from hostplane.cloudsim.stripe_webhooks import StripeWebhooks, WebhookEndpoint
from hostplane.cloudsim.stripe_wire import Form, StripeError, Wire, invalid, new_id

STRIPE = "/stripe"
STRIPE_API = "/stripe/v1"
IDEMPOTENCY_TTL_S = 24 * 3600
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8090"


@dataclass(frozen=True)
class StripeSettings:
    # None: any test-mode secret key (`sk_test_…`) is accepted.
    secret_key: str | None
    webhook: WebhookEndpoint
    # Where browsers reach cloudsim: Checkout's `url` points there.
    public_url: str
    # Stripe refuses a Checkout Session expiring sooner than 30 minutes after its creation.
    checkout_min_expiry_s: float

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "StripeSettings":
        return cls(
            secret_key=env.get("CLOUDSIM_STRIPE_SECRET_KEY") or None,
            webhook=WebhookEndpoint(
                url=env.get("CLOUDSIM_STRIPE_WEBHOOK_URL") or None,
                secret=env.get("CLOUDSIM_STRIPE_WEBHOOK_SECRET") or "whsec_dev",
            ),
            public_url=env.get("CLOUDSIM_PUBLIC_URL") or DEFAULT_PUBLIC_URL,
            checkout_min_expiry_s=float(env.get("CLOUDSIM_STRIPE_CHECKOUT_MIN_EXPIRY", 1800)),
        )


def _unauthorized(message: str) -> JSONResponse:
    return StripeError(401, "invalid_request_error", message).response()


class Stripe:
    def __init__(self, world: World, settings: StripeSettings) -> None:
        self.world, self.settings = world, settings
        self.webhooks = StripeWebhooks(world, settings.webhook)
        self.account = StripeAccount(world, self.webhooks, settings.checkout_min_expiry_s)
        self.api = StripeApi(self.account, settings.public_url)
        self.router = APIRouter()
        for method, path, handler in self.api.routes():
            self.router.add_api_route(
                path, self._endpoint(handler), methods=[method], include_in_schema=False
            )
        self.router.add_api_route(
            "/v1/{rest:path}", self._unknown, methods=["GET", "POST", "DELETE"]
        )
        self.router.add_api_route("/checkout/pay/{session_id}", self._page, methods=["GET"])
        self.router.add_api_route("/checkout/pay/{session_id}", self._pay, methods=["POST"])

    def refuse(self, request: Request) -> Response | None:
        """401 in Stripe's shape unless the request carries an acceptable secret key."""
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key:
            return _unauthorized(
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY')."
            )
        expected = self.settings.secret_key
        if not (secrets.compare_digest(key, expected) if expected else key.startswith("sk_test_")):
            return _unauthorized(f"Invalid API Key provided: {key[:8]}****{key[-4:]}")
        return None

    async def close(self) -> None:
        self.account.close()
        await self.webhooks.close()

    # ---- answering the API -----------------------------------------------------------------

    def _endpoint(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            post = request.method == "POST"
            raw = (await request.body()).decode() if post else request.url.query
            key = request.headers.get("idempotency-key")
            # From here on nothing awaits: the request's effects happen all at once.
            if post and key:
                response = self._idempotent(request, raw, key, handler)
            else:
                response = self._run(handler, raw, request.path_params)
            if action_should_fail(request):
                # The request took effect but its answer is lost: what a retry with the same
                # Idempotency-Key is for.
                response = StripeError(500, "api_error", "injected: the answer was lost").response()
            response.headers["Request-Id"] = new_id("req", 14)
            return response

        return endpoint

    def _run(self, handler: Handler, raw: str, path: Mapping[str, str]) -> Response:
        try:
            form = Form.decode(raw)
            answer = handler(Call(form, path))
            return JSONResponse(self._expand(answer, form.strings("expand")))
        except StripeError as error:
            return error.response()

    def _expand(self, answer: Wire, paths: list[str]) -> Wire:
        """Replace ids by their objects for each `expand` path one level deep (`customer`,
        `latest_charge`, or `data.customer` in a list), on a copy: events are stored as sent."""
        answer = dict(answer)
        for path in paths:
            head, _, rest = path.partition(".")
            if answer.get("object") == "list" and head == "data":
                answer["data"] = [self._expand(item, [rest]) for item in answer["data"]]
            elif isinstance(answer.get(head), str):
                answer[head] = self.account.find(answer[head]) or answer[head]
        return answer

    def _idempotent(self, request: Request, raw: str, key: str, handler: Handler) -> Response:
        """The first answer for an Idempotency-Key, again, for the same request; an
        idempotency_error for another. Only requests that ran are remembered (a success, or a
        card decline): a refused request may be corrected and sent again under its key."""
        answers = self.world.stripe.answers
        cutoff = time.time() - IDEMPOTENCY_TTL_S
        for old in list(itertools.takewhile(lambda k: answers[k].at < cutoff, answers)):
            del answers[old]
        scope = (request.headers["authorization"], key)
        endpoint = f"{request.method} {request.url.path.removeprefix(STRIPE)}"
        params = urlencode(sorted(parse_qsl(raw, keep_blank_values=True)))
        saved = answers.get(scope)
        if saved is not None and saved.endpoint != endpoint:
            return StripeError(
                400,
                "idempotency_error",
                "Keys for idempotent requests can only be used for the same endpoint they "
                f"were first used for ('{saved.endpoint}' vs '{endpoint}'). Try using a key "
                f"other than '{key}' if you meant to execute a different request.",
            ).response()
        if saved is not None and saved.params != params:
            return StripeError(
                400,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
            ).response()
        if saved is not None:
            headers = {"Idempotency-Key": key, "Idempotent-Replayed": "true"}
            return Response(saved.body, saved.status, headers, "application/json")
        response = self._run(handler, raw, request.path_params)
        if response.status_code < 400 or response.status_code == 402:
            answers[scope] = SavedAnswer(
                endpoint, params, response.status_code, bytes(response.body), time.time()
            )
        response.headers["Idempotency-Key"] = key
        return response

    async def _unknown(self, request: Request) -> Response:
        return StripeError(
            404,
            "invalid_request_error",
            f"Unrecognized request URL ({request.method}: "
            f"{request.url.path.removeprefix(STRIPE)}).",
        ).response()

    # ---- the hosted Checkout page ----------------------------------------------------------

    async def _page(self, session_id: str) -> Response:
        """The page Checkout's `url` opens: the amount, and a test card to pay with."""
        try:
            session = self.account.session(session_id)
        except StripeError as error:
            return HTMLResponse(html.escape(error.message), error.status)
        if session.status != "open":
            return HTMLResponse(f"This Checkout Session is {session.status}.", 409)
        lines = "".join(
            f"<li>{html.escape(i.name)} x {i.quantity}: {i.unit_amount * i.quantity}</li>"
            for i in session.line_items
        )
        cards = "".join(f'<option value="{card}">{card}</option>' for card in TEST_CARDS)
        return HTMLResponse(
            f"<!doctype html><title>cloudsim Checkout</title><h1>Pay {session.amount_total} "
            f"{session.currency.upper()} (minor units)</h1><ul>{lines}</ul>"
            f'<form method="post"><select name="payment_method">{cards}</select>'
            '<button type="submit">Pay</button></form>'
        )

    async def _pay(self, session_id: str, request: Request) -> Response:
        """Pay with the chosen test card, then go to `success_url` as Stripe would."""
        form = Form.decode((await request.body()).decode())
        try:
            session = self.account.session(session_id)
            card = form.text("payment_method") or "pm_card_visa"
            if card not in TEST_CARDS:
                raise invalid(f"Not a test payment method: {card}", "payment_method")
            self.account.complete(session, card)
        except StripeError as error:
            return HTMLResponse(html.escape(error.message), error.status)
        target = (session.success_url or "").replace("{CHECKOUT_SESSION_ID}", session.id)
        return RedirectResponse(target, 303) if target else HTMLResponse("Paid.")
