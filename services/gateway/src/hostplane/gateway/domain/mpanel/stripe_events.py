"""Stripe's webhooks: a signed event about one of billing's invoices becomes a command.

Billing puts `invoice_id` and `tenant_id` in the metadata of every Checkout session and
payment intent it creates; an event whose object lacks them is not about an invoice.
"""

import logging
from uuid import UUID

import stripe
from pydantic import ValidationError

from hostplane.contracts.commands.billing import RecordStripeEvent
from hostplane.contracts.mpanel.stripe import StripeEvent, StripeObject
from hostplane.gateway.domain.errors import Invalid

log = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_S = 300


def verified_event(body: bytes, signature: str | None, secret: str) -> StripeEvent | None:
    """The event, if Stripe signed this body within the tolerance; VALIDATION_ERROR when
    the signature is missing, bad or stale. None for a signed event of a shape we do not
    read (answered 200, so Stripe does not deliver it again)."""
    if not signature:
        raise Invalid("Missing Stripe-Signature header", {"Stripe-Signature": "missing"})
    try:
        stripe.Webhook.construct_event(body, signature, secret, tolerance=SIGNATURE_TOLERANCE_S)
    except stripe.SignatureVerificationError as error:
        raise Invalid("Invalid Stripe signature", {"Stripe-Signature": "invalid"}) from error
    except ValueError as error:  # a signed body that is not JSON
        raise Invalid("The event is not JSON") from error
    try:
        return StripeEvent.model_validate_json(body)
    except ValidationError:
        log.warning("a signed Stripe event of an unknown shape was ignored")
        return None


def record_command(event: StripeEvent) -> RecordStripeEvent | None:
    """The command recording an event about an invoice's payment; None for any other."""
    item = event.data.object
    try:
        invoice_id = UUID(item.metadata["invoice_id"])
        tenant_id = UUID(item.metadata["tenant_id"])
    except (KeyError, ValueError):
        return None
    session = item.object == "checkout.session"
    error = item.last_payment_error
    return RecordStripeEvent(
        tenant_id=tenant_id,
        invoice_id=invoice_id,
        event_id=event.id,
        event_type=event.type,
        created=event.created,
        payment_intent_id=item.payment_intent if session else _intent_id(item),
        session_id=item.id if session else None,
        amount=next(
            (a for a in (item.amount_total, item.amount_received, item.amount) if a is not None),
            None,
        ),
        currency=item.currency.upper() if item.currency else None,
        failure_code=error.code if error else None,
        failure_message=error.message if error else None,
    )


def _intent_id(item: StripeObject) -> str | None:
    return item.id if item.object == "payment_intent" else item.payment_intent
