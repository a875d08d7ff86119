"""The parts of a Stripe webhook event the gateway reads (a Checkout session or a payment
intent), as Stripe sends them; everything else in the event is ignored."""

from pydantic import BaseModel, ConfigDict


class _Stripe(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PaymentError(_Stripe):
    code: str | None = None
    message: str | None = None


class StripeObject(_Stripe):
    """`data.object`: a `checkout.session` or a `payment_intent` (others carry no metadata
    of ours)."""

    id: str
    object: str
    metadata: dict[str, str] = {}
    payment_intent: str | None = None  # of a session
    amount_total: int | None = None  # of a session
    amount_received: int | None = None  # of an intent
    amount: int | None = None  # of an intent
    currency: str | None = None
    last_payment_error: PaymentError | None = None


class StripeEventData(_Stripe):
    object: StripeObject


class StripeEvent(_Stripe):
    id: str
    type: str
    created: int
    data: StripeEventData
