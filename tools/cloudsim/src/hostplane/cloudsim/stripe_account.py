"""What the simulated Stripe account does: each change of state, Stripe's rules for it, and
the events it sends.

Nothing here awaits. A request's effects are whole before any other request runs, which is
what lets an Idempotency-Key's replay be answered from the first answer, and no two
confirmations of one PaymentIntent can interleave.
"""

import asyncio
import time
from collections.abc import Mapping
from typing import Protocol

from hostplane.cloudsim.state import World
from hostplane.cloudsim.stripe_objects import (
    TEST_CARDS,
    Charge,
    CheckoutSession,
    Customer,
    PaymentIntent,
    PaymentMethod,
    Refund,
    StripeState,
    unix_now,
)
from hostplane.cloudsim.stripe_webhooks import StripeWebhooks
from hostplane.cloudsim.stripe_wire import StripeError, Wire, invalid, no_such

# The smallest charge Stripe accepts, in minor units, for the currencies it names; others: 1.
MINIMUM_AMOUNTS = {"usd": 50, "eur": 50, "chf": 50, "cad": 50, "aud": 50, "gbp": 30}
CANCELABLE = ("requires_payment_method", "requires_confirmation")
CANCELLATION_REASONS = {"duplicate", "fraudulent", "requested_by_customer", "abandoned"}
REFUND_REASONS = {"duplicate", "fraudulent", "requested_by_customer"}
SESSION_LIFETIME_S = 24 * 3600


class Wired(Protocol):
    @property
    def id(self) -> str: ...

    def wire(self) -> Wire: ...


def check_amount(amount: int, currency: str, param: str = "amount") -> None:
    minimum = MINIMUM_AMOUNTS.get(currency, 1)
    if amount < minimum:
        raise invalid(
            f"Amount must be at least {minimum} (minor units of {currency}).",
            param,
            "amount_too_small",
        )


class StripeAccount:
    def __init__(self, world: World, webhooks: StripeWebhooks, min_expiry_s: float) -> None:
        self.world, self.webhooks, self.min_expiry_s = world, webhooks, min_expiry_s
        self._timers: dict[str, asyncio.TimerHandle] = {}

    @property
    def state(self) -> StripeState:
        return self.world.stripe

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()

    # ---- lookups: an unknown id is Stripe's resource_missing --------------------------------

    def customer(self, customer_id: str, param: str = "id") -> Customer:
        if customer_id not in self.state.customers:
            raise no_such("customer", customer_id, param)
        return self.state.customers[customer_id]

    def payment_method(self, pm_id: str, param: str = "id") -> PaymentMethod:
        if pm_id not in self.state.payment_methods:
            raise no_such("PaymentMethod", pm_id, param)
        return self.state.payment_methods[pm_id]

    def intent(self, intent_id: str, param: str = "id") -> PaymentIntent:
        if intent_id not in self.state.payment_intents:
            raise no_such("payment_intent", intent_id, param)
        return self.state.payment_intents[intent_id]

    def charge(self, charge_id: str, param: str = "id") -> Charge:
        if charge_id not in self.state.charges:
            raise no_such("charge", charge_id, param)
        return self.state.charges[charge_id]

    def refund(self, refund_id: str) -> Refund:
        if refund_id not in self.state.refunds:
            raise no_such("refund", refund_id)
        return self.state.refunds[refund_id]

    def session(self, session_id: str) -> CheckoutSession:
        if session_id not in self.state.sessions:
            raise no_such("checkout.session", session_id)
        session = self.state.sessions[session_id]
        self.expire_if_due(session)
        return session

    def find(self, object_id: str) -> Wire | None:
        """Any object by id, as `expand` needs it."""
        tables: dict[str, Mapping[str, Wired]] = {
            "cus": self.state.customers,
            "pm": self.state.payment_methods,
            "pi": self.state.payment_intents,
            "ch": self.state.charges,
            "re": self.state.refunds,
            "cs": self.state.sessions,
        }
        found = tables.get(object_id.split("_", 1)[0], {}).get(object_id)
        return found.wire() if found is not None else None

    # ---- customers and their payment methods -----------------------------------------------

    def create_customer(self, customer: Customer) -> Customer:
        self.state.customers[customer.id] = customer
        self.webhooks.emit("customer.created", customer.wire())
        return customer

    def set_default_payment_method(self, customer: Customer, pm_id: str | None) -> None:
        param = "invoice_settings[default_payment_method]"
        if pm_id and self.payment_method(pm_id, param).customer != customer.id:
            raise invalid(
                f"The customer does not have a payment method with the ID {pm_id}. The payment "
                "method must be attached to the customer.",
                param,
                "resource_missing",
            )
        customer.default_payment_method = pm_id or None

    def attach(self, pm_id: str, customer: Customer) -> PaymentMethod:
        """Attach a payment method; a test one (`pm_card_visa`) becomes a new `pm_…` that
        remembers which test card it is, as at Stripe."""
        if pm_id in TEST_CARDS:
            method = PaymentMethod(test_card=pm_id)
            if method.card.declines_attach:
                raise StripeError(
                    402,
                    "card_error",
                    method.card.decline_message,
                    code="card_declined",
                    decline_code=method.card.decline_code,
                    param="payment_method",
                )
            self.state.payment_methods[method.id] = method
        else:
            method = self.payment_method(pm_id)
            if method.customer == customer.id:
                return method
            if method.customer is not None:
                raise invalid(
                    "The payment method you provided has already been attached to a customer."
                )
        method.customer = customer.id
        self.webhooks.emit("payment_method.attached", method.wire())
        return method

    def detach(self, method: PaymentMethod) -> PaymentMethod:
        if method.customer is None:
            raise invalid(
                f"The payment method {method.id} is not attached to a customer so detachment "
                "is impossible."
            )
        owner = self.state.customers.get(method.customer)
        if owner is not None and owner.default_payment_method == method.id:
            owner.default_payment_method = None
        method.customer = None
        self.webhooks.emit("payment_method.detached", method.wire())
        return method

    def usable_payment_method(
        self, pm_id: str, customer: str | None, param: str = "payment_method"
    ) -> PaymentMethod:
        """The payment method a payment may use: a test one afresh, or a stored one that
        belongs to the payment's customer (or to nobody)."""
        if pm_id in TEST_CARDS:
            method = PaymentMethod(test_card=pm_id)
            self.state.payment_methods[method.id] = method
            return method
        method = self.payment_method(pm_id, param)
        if method.customer is not None and method.customer != customer:
            raise invalid(
                f"The provided PaymentMethod {pm_id} belongs to customer {method.customer}; "
                "pass that customer with it.",
                param,
            )
        return method

    # ---- payment intents -------------------------------------------------------------------

    def create_intent(self, intent: PaymentIntent) -> PaymentIntent:
        check_amount(intent.amount, intent.currency)
        if intent.customer is not None:
            self.customer(intent.customer, "customer")
        if intent.payment_method is not None:
            method = self.usable_payment_method(intent.payment_method, intent.customer)
            intent.payment_method, intent.status = method.id, "requires_confirmation"
        self.state.payment_intents[intent.id] = intent
        return intent

    def confirm(self, intent: PaymentIntent, pm_id: str | None = None) -> PaymentIntent:
        """Charge the intent's card: succeeded, or a 402 card_error after which the intent
        wants a payment method again (and remembers the decline in last_payment_error)."""
        if intent.status not in CANCELABLE:
            raise self._unexpected(intent, "confirm")
        if pm_id:
            intent.payment_method = self.usable_payment_method(pm_id, intent.customer).id
        if intent.payment_method is None:
            raise invalid(
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
                "payment_method",
                "payment_intent_unexpected_state",
            )
        method = self.state.payment_methods[intent.payment_method]
        charge = Charge(
            amount=intent.amount,
            currency=intent.currency,
            customer=intent.customer,
            payment_intent=intent.id,
            payment_method=method,
            metadata=dict(intent.metadata),
            description=intent.description,
        )
        self.state.charges[charge.id] = charge
        intent.latest_charge = charge.id
        if charge.succeeded:
            intent.status, intent.last_payment_error = "succeeded", None
            self.webhooks.emit("payment_intent.succeeded", intent.wire())
            if intent.setup_future_usage and intent.customer and method.customer is None:
                self.attach(method.id, self.customer(intent.customer))
            return intent
        card = method.card
        decline = StripeError(
            402,
            "card_error",
            card.decline_message,
            code="card_declined",
            decline_code=card.decline_code,
            extra={"charge": charge.id, "payment_method": method.wire()},
        )
        intent.status, intent.payment_method = "requires_payment_method", None
        intent.last_payment_error = decline.body()["error"]
        decline.extra["payment_intent"] = intent.wire()
        self.webhooks.emit("payment_intent.payment_failed", intent.wire())
        raise decline

    def cancel(self, intent: PaymentIntent, reason: str | None) -> PaymentIntent:
        if intent.status not in CANCELABLE:
            raise self._unexpected(intent, "cancel")
        if reason is not None and reason not in CANCELLATION_REASONS:
            raise invalid(f"Invalid cancellation_reason: {reason}", "cancellation_reason")
        intent.status, intent.canceled_at, intent.cancellation_reason = (
            "canceled",
            unix_now(),
            reason,
        )
        self.webhooks.emit("payment_intent.canceled", intent.wire())
        return intent

    @staticmethod
    def _unexpected(intent: PaymentIntent, verb: str) -> StripeError:
        error = invalid(
            f"You cannot {verb} this PaymentIntent because it has a status of {intent.status}.",
            code="payment_intent_unexpected_state",
        )
        error.extra["payment_intent"] = intent.wire()
        return error

    # ---- refunds ---------------------------------------------------------------------------

    def charge_of(self, intent: PaymentIntent) -> Charge:
        """The successful charge a refund of `intent` takes money back from."""
        charge = self.state.charges.get(intent.latest_charge or "")
        if intent.status != "succeeded" or charge is None:
            raise invalid(
                f"PaymentIntent {intent.id} does not have a successful charge to refund.",
                "payment_intent",
                "charge_not_refundable",
            )
        return charge

    def create_refund(
        self, charge: Charge, amount: int | None, metadata: dict[str, str], reason: str | None
    ) -> Refund:
        """Give back `amount` (default: all that is left) of a successful charge; more than
        is left is refused."""
        remaining = charge.amount - charge.amount_refunded
        if not charge.succeeded:
            raise invalid(f"Charge {charge.id} has not succeeded.", "charge")
        if remaining == 0:
            raise invalid(
                f"Charge {charge.id} has already been refunded.", code="charge_already_refunded"
            )
        if reason is not None and reason not in REFUND_REASONS:
            raise invalid(f"Invalid reason: {reason}", "reason")
        amount = remaining if amount is None else amount
        if amount <= 0:
            raise invalid("Refund amount must be positive.", "amount")
        if amount > remaining:
            raise invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({remaining}).",
                "amount",
                "amount_too_large",
            )
        charge.amount_refunded += amount
        refund = Refund(amount=amount, charge=charge, metadata=metadata, reason=reason)
        self.state.refunds[refund.id] = refund
        self.webhooks.emit("charge.refunded", charge.wire())
        return refund

    # ---- checkout sessions -----------------------------------------------------------------

    def open_session(self, session: CheckoutSession) -> CheckoutSession:
        """Store a new open session, to expire by itself at its `expires_at`."""
        if session.customer is not None:
            self.customer(session.customer, "customer")
        check_amount(session.amount_total, session.currency, "line_items")
        now = unix_now()
        if not now + self.min_expiry_s <= session.expires_at <= now + SESSION_LIFETIME_S:
            raise invalid(
                f"The `expires_at` timestamp must be at least {self.min_expiry_s:.0f} seconds "
                "and at most 24 hours after the Checkout Session's creation.",
                "expires_at",
            )
        self.state.sessions[session.id] = session
        delay = session.expires_at - time.time() + 0.05
        self._timers[session.id] = asyncio.get_running_loop().call_later(
            delay, self._expire_when_due, session.id
        )
        return session

    def expire(self, session: CheckoutSession) -> CheckoutSession:
        if session.status != "open":
            raise invalid(
                f"Only Checkout Sessions with a status of `open` can be expired; {session.id} "
                f"is {session.status}."
            )
        session.status = "expired"
        self._forget_timer(session)
        intent = self.state.payment_intents.get(session.payment_intent or "")
        if intent is not None and intent.status in CANCELABLE:
            self.cancel(intent, "abandoned")
        self.webhooks.emit("checkout.session.expired", session.wire())
        return session

    def expire_if_due(self, session: CheckoutSession) -> None:
        if session.status == "open" and unix_now() >= session.expires_at:
            self.expire(session)

    def _forget_timer(self, session: CheckoutSession) -> None:
        if (timer := self._timers.pop(session.id, None)) is not None:
            timer.cancel()

    def _expire_when_due(self, session_id: str) -> None:
        self._timers.pop(session_id, None)
        # After a reset the session is gone, or is another one's: leave it be.
        if (session := self.state.sessions.get(session_id)) is not None:
            self.expire_if_due(session)

    def complete(self, session: CheckoutSession, test_card: str) -> CheckoutSession:
        """The customer pays on the hosted page with a test card: the session's PaymentIntent
        (made at the first attempt, with `payment_intent_data`) is confirmed with it. A decline
        leaves the session open for another try."""
        if session.status != "open":
            raise StripeError(
                409,
                "invalid_request_error",
                f"Checkout Session {session.id} is {session.status}; only an open one is paid.",
                code="checkout_session_not_open",
            )
        if test_card not in TEST_CARDS:
            raise invalid(f"Not a test payment method: {test_card}", "payment_method")
        intent = self.state.payment_intents.get(session.payment_intent or "")
        if intent is None:
            intent = self.create_intent(
                PaymentIntent(
                    amount=session.amount_total,
                    currency=session.currency,
                    customer=session.customer,
                    payment_method=None,
                    metadata=dict(session.payment_intent_metadata),
                    description=session.payment_intent_description,
                    setup_future_usage=session.payment_intent_future_usage,
                )
            )
            session.payment_intent = intent.id
        self.confirm(intent, test_card)
        session.status, session.payment_status = "complete", "paid"
        self._forget_timer(session)
        self.webhooks.emit("checkout.session.completed", session.wire())
        return session
