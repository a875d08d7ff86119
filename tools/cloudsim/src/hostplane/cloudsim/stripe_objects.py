"""The simulated Stripe account's objects, each with the JSON Stripe answers for it.

Only what a billing integration reads is kept; the rest of each object is Stripe's fixed
test-mode shape (`livemode: false`, no address, no 3-D Secure).
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hostplane.cloudsim.stripe_wire import Wire, new_id

# The API version events are stamped with: the one the installed `stripe` library speaks.
API_VERSION = "2026-10-28.endive"
EXPIRY_YEAR = datetime.now(UTC).year + 3


def unix_now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class StripeTestCard:
    """One of Stripe's test payment methods; `decline_code` set means every charge fails."""

    brand: str
    last4: str
    decline_code: str | None = None
    decline_message: str = "Your card was declined."
    declines_attach: bool = False  # refused already when attached to a customer

    def wire(self) -> Wire:
        return {
            "brand": self.brand,
            "display_brand": self.brand,
            "last4": self.last4,
            "exp_month": 12,
            "exp_year": EXPIRY_YEAR,
            "funding": "credit",
            "country": "US",
            "fingerprint": f"fp{self.brand}{self.last4}",
            "checks": {"cvc_check": None, "address_line1_check": None},
        }


# Stripe's test payment methods by id. Attaching the `pm_card_visa_chargeDeclined…` ones fails
# (Stripe checks a card when it is attached); the other declining ones attach and fail when
# charged, which is what an off-session renewal meets.
TEST_CARDS = {
    "pm_card_visa": StripeTestCard("visa", "4242"),
    "pm_card_mastercard": StripeTestCard("mastercard", "4444"),
    "pm_card_chargeDeclined": StripeTestCard("visa", "0002", "generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": StripeTestCard(
        "visa", "9995", "insufficient_funds", "Your card has insufficient funds."
    ),
    "pm_card_chargeCustomerFail": StripeTestCard("visa", "0341", "generic_decline"),
    "pm_card_visa_chargeDeclined": StripeTestCard(
        "visa", "0002", "generic_decline", declines_attach=True
    ),
    "pm_card_visa_chargeDeclinedExpiredCard": StripeTestCard(
        "visa", "0069", "expired_card", "Your card has expired.", declines_attach=True
    ),
}


@dataclass
class Customer:
    email: str | None
    name: str | None
    description: str | None
    metadata: dict[str, str]
    id: str = field(default_factory=lambda: new_id("cus", 14))
    created: int = field(default_factory=unix_now)
    default_payment_method: str | None = None

    def wire(self) -> Wire:
        return {
            "id": self.id,
            "object": "customer",
            "email": self.email,
            "name": self.name,
            "description": self.description,
            "metadata": dict(self.metadata),
            "created": self.created,
            "invoice_settings": {
                "default_payment_method": self.default_payment_method,
                "custom_fields": None,
                "footer": None,
                "rendering_options": None,
            },
            "address": None,
            "balance": 0,
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "phone": None,
            "shipping": None,
            "livemode": False,
        }


@dataclass
class PaymentMethod:
    """A card; `test_card` is the test payment method it was made from (it decides charges)."""

    test_card: str
    id: str = field(default_factory=lambda: new_id("pm"))
    customer: str | None = None
    created: int = field(default_factory=unix_now)

    @property
    def card(self) -> StripeTestCard:
        return TEST_CARDS[self.test_card]

    def wire(self) -> Wire:
        return {
            "id": self.id,
            "object": "payment_method",
            "type": "card",
            "card": self.card.wire(),
            "customer": self.customer,
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
            "metadata": {},
            "created": self.created,
            "livemode": False,
        }


@dataclass
class Charge:
    amount: int
    currency: str
    customer: str | None
    payment_intent: str
    payment_method: PaymentMethod
    metadata: dict[str, str]
    description: str | None
    id: str = field(default_factory=lambda: new_id("ch"))
    created: int = field(default_factory=unix_now)
    amount_refunded: int = 0

    @property
    def succeeded(self) -> bool:
        return self.payment_method.card.decline_code is None

    def wire(self) -> Wire:
        card = self.payment_method.card
        return {
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount if self.succeeded else 0,
            "amount_refunded": self.amount_refunded,
            "captured": self.succeeded,
            "paid": self.succeeded,
            "refunded": self.succeeded and self.amount_refunded == self.amount,
            "status": "succeeded" if self.succeeded else "failed",
            "currency": self.currency,
            "customer": self.customer,
            "payment_intent": self.payment_intent,
            "payment_method": self.payment_method.id,
            "payment_method_details": {"type": "card", "card": card.wire()},
            "metadata": dict(self.metadata),
            "description": self.description,
            "failure_code": None if self.succeeded else "card_declined",
            "failure_message": None if self.succeeded else card.decline_message,
            "outcome": {
                "network_status": "approved_by_network"
                if self.succeeded
                else "declined_by_network",
                "reason": card.decline_code,
                "type": "authorized" if self.succeeded else "issuer_declined",
                "seller_message": "Payment complete."
                if self.succeeded
                else "The bank did not return any further details with this decline.",
            },
            "balance_transaction": f"txn_{self.id[3:]}" if self.succeeded else None,
            "receipt_url": None,
            "created": self.created,
            "livemode": False,
        }


@dataclass
class PaymentIntent:
    amount: int
    currency: str
    customer: str | None
    payment_method: str | None
    metadata: dict[str, str]
    description: str | None
    setup_future_usage: str | None = None
    id: str = field(default_factory=lambda: new_id("pi"))
    created: int = field(default_factory=unix_now)
    status: str = "requires_payment_method"
    latest_charge: str | None = None
    # A snapshot of the decline that sent it back to requires_payment_method.
    last_payment_error: Wire | None = None
    canceled_at: int | None = None
    cancellation_reason: str | None = None

    def wire(self) -> Wire:
        succeeded = self.status == "succeeded"
        return {
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_received": self.amount if succeeded else 0,
            "amount_capturable": 0,
            "currency": self.currency,
            "customer": self.customer,
            "payment_method": self.payment_method,
            "payment_method_types": ["card"],
            "status": self.status,
            "capture_method": "automatic",
            "confirmation_method": "automatic",
            "client_secret": f"{self.id}_secret_{self.id[3:]}",
            "description": self.description,
            "metadata": dict(self.metadata),
            "latest_charge": self.latest_charge,
            "last_payment_error": self.last_payment_error,
            "next_action": None,
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.cancellation_reason,
            "setup_future_usage": self.setup_future_usage,
            "created": self.created,
            "livemode": False,
        }


@dataclass
class Refund:
    amount: int
    charge: Charge
    metadata: dict[str, str]
    reason: str | None
    id: str = field(default_factory=lambda: new_id("re"))
    created: int = field(default_factory=unix_now)

    def wire(self) -> Wire:
        return {
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "charge": self.charge.id,
            "payment_intent": self.charge.payment_intent,
            "currency": self.charge.currency,
            "status": "succeeded",
            "reason": self.reason,
            "metadata": dict(self.metadata),
            "created": self.created,
        }


@dataclass(frozen=True)
class LineItem:
    name: str
    currency: str
    unit_amount: int
    quantity: int


@dataclass
class CheckoutSession:
    line_items: list[LineItem]
    customer: str | None
    customer_email: str | None
    client_reference_id: str | None
    success_url: str | None
    cancel_url: str | None
    metadata: dict[str, str]
    # What the PaymentIntent made when the customer pays is given (payment_intent_data).
    payment_intent_metadata: dict[str, str]
    payment_intent_description: str | None
    payment_intent_future_usage: str | None
    expires_at: int
    pay_base: str  # the hosted payment page is at <pay_base>/<id>
    id: str = field(default_factory=lambda: new_id("cs_test", 58))
    created: int = field(default_factory=unix_now)
    status: str = "open"
    payment_status: str = "unpaid"
    payment_intent: str | None = None

    @property
    def currency(self) -> str:
        return self.line_items[0].currency

    @property
    def amount_total(self) -> int:
        return sum(item.unit_amount * item.quantity for item in self.line_items)

    def wire(self) -> Wire:
        paid = self.payment_status == "paid"
        return {
            "id": self.id,
            "object": "checkout.session",
            "mode": "payment",
            "status": self.status,
            "payment_status": self.payment_status,
            "url": f"{self.pay_base}/{self.id}" if self.status == "open" else None,
            "amount_subtotal": self.amount_total,
            "amount_total": self.amount_total,
            "currency": self.currency,
            "customer": self.customer,
            "customer_email": self.customer_email,
            "customer_details": {"email": self.customer_email, "name": None} if paid else None,
            "client_reference_id": self.client_reference_id,
            "success_url": self.success_url,
            "cancel_url": self.cancel_url,
            "metadata": dict(self.metadata),
            "payment_intent": self.payment_intent,
            "payment_method_types": ["card"],
            "expires_at": self.expires_at,
            "created": self.created,
            "livemode": False,
        }


# ---- events and what else the account remembers ------------------------------------------


@dataclass
class DeliveryAttempt:
    """One POST of an event to the webhook endpoint: its HTTP status, or why it failed."""

    send: int  # 1 for the first send, 2 for the first resend, …
    attempt: int
    at: float
    status: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class EventRecord:
    event: Wire
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    sends: int = 0

    @property
    def id(self) -> str:
        return str(self.event["id"])


@dataclass
class SavedAnswer:
    """What a POST with an Idempotency-Key answered, to be answered again for 24 h."""

    endpoint: str  # "POST /v1/customers"
    params: str  # the form's fields, sorted
    status: int
    body: bytes
    at: float


@dataclass
class StripeState:
    customers: dict[str, Customer] = field(default_factory=dict)
    payment_methods: dict[str, PaymentMethod] = field(default_factory=dict)
    payment_intents: dict[str, PaymentIntent] = field(default_factory=dict)
    charges: dict[str, Charge] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)
    sessions: dict[str, CheckoutSession] = field(default_factory=dict)
    events: list[EventRecord] = field(default_factory=list)
    # While held, sends (an event and which send of it) wait here in the order they were made.
    holding: bool = False
    held: list[tuple[EventRecord, int]] = field(default_factory=list)
    # (API key, Idempotency-Key) → the answer, oldest first (so expiry pops from the front).
    answers: dict[tuple[str, str], SavedAnswer] = field(default_factory=dict)
