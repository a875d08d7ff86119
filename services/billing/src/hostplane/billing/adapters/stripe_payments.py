"""Payments through Stripe, with the official `stripe` library (`STRIPE_API_BASE` points it
at Stripe, or at cloudsim's simulator in development).

Every request carries an idempotency key derived from what it is for, so Stripe answers a
repeated call with its first answer: a charge's key names the invoice and the attempt, so an
attempt that crashed after Stripe took the money is, when run again, the same charge.
Connection failures, 429 and 5xx answers are transient (retried by the caller's
`retrying`); a declined card is a `ChargeOutcome`, not an error.
"""

from datetime import UTC, datetime
from uuid import UUID

import stripe

from hostplane.billing.adapters.payments import (
    Charge,
    ChargeOutcome,
    CheckoutSession,
    Payer,
    SavedCard,
)
from hostplane.providers.errors import ProviderError, TransientError, retry_after_of
from hostplane.providers.retrying import retrying

ATTEMPTS = 5


def _classified(call_name: str, error: stripe.StripeError) -> Exception:
    """Stripe's failures as provider errors: transient, or failed for good."""
    status = error.http_status or 0
    transient = (
        isinstance(error, stripe.APIConnectionError | stripe.RateLimitError) or status >= 500
    )
    if transient:
        retry_after = retry_after_of((error.headers or {}).get("retry-after"))
        return TransientError(f"stripe {call_name}: {error.user_message or error}", retry_after)
    return ProviderError("PAYMENT_PROVIDER_ERROR", f"stripe {call_name}: {error.user_message}")


class StripePayments:
    name = "stripe"

    def __init__(self, api_base: str, secret_key: str, timeout_s: float = 10.0) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            max_network_retries=0,  # `retrying` owns retries, with backoff and jitter
            http_client=stripe.HTTPXClient(timeout=timeout_s, allow_sync_methods=True),
        )

    @retrying("stripe", attempts=ATTEMPTS)
    def ensure_customer(self, payer: Payer) -> str:
        if payer.provider_customer_id:
            return payer.provider_customer_id
        try:
            customer = self._client.v1.customers.create(
                params={
                    "email": payer.email,
                    "name": payer.name,
                    "metadata": {
                        "customer_id": str(payer.customer_id),
                        "tenant_id": str(payer.tenant_id),
                    },
                },
                options={"idempotency_key": f"customer:{payer.customer_id}"},
            )
        except stripe.StripeError as error:
            raise _classified("create customer", error) from error
        return str(customer.id)

    @retrying("stripe", attempts=ATTEMPTS)
    def attach_payment_method(self, provider_customer_id: str, payment_method_id: str) -> SavedCard:
        try:
            method = self._client.v1.payment_methods.attach(
                payment_method_id,
                params={"customer": provider_customer_id},
                options={"idempotency_key": f"attach:{provider_customer_id}:{payment_method_id}"},
            )
        except stripe.CardError as error:
            raise ProviderError("PAYMENT_FAILED", error.user_message or str(error)) from error
        except stripe.StripeError as error:
            raise _classified("attach payment method", error) from error
        card = method.card
        if card is None:
            raise ProviderError("PAYMENT_FAILED", "only cards can be saved")
        return SavedCard(str(method.id), card.brand, card.last4, card.exp_month, card.exp_year)

    @retrying("stripe", attempts=ATTEMPTS)
    def set_default_payment_method(
        self, provider_customer_id: str, payment_method_id: str | None
    ) -> None:
        try:
            self._client.v1.customers.update(
                provider_customer_id,
                params={"invoice_settings": {"default_payment_method": payment_method_id or ""}},
            )
        except stripe.StripeError as error:
            raise _classified("set the default payment method", error) from error

    @retrying("stripe", attempts=ATTEMPTS)
    def detach_payment_method(self, payment_method_id: str) -> None:
        try:
            method = self._client.v1.payment_methods.retrieve(payment_method_id)
            if method.customer is not None:  # detached already: a repeated removal
                self._client.v1.payment_methods.detach(payment_method_id)
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return  # gone at Stripe: nothing to detach
            raise _classified("detach payment method", error) from error
        except stripe.StripeError as error:
            raise _classified("detach payment method", error) from error

    @retrying("stripe", attempts=ATTEMPTS)
    def open_checkout(
        self, payer_id: str, charge: Charge, success_url: str, cancel_url: str
    ) -> CheckoutSession:
        metadata = _metadata(charge)
        try:
            session = self._client.v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "customer": payer_id,
                    "client_reference_id": str(charge.invoice_id),
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": charge.currency.lower(),
                                "unit_amount": charge.amount,
                                "product_data": {"name": charge.description},
                            },
                        }
                    ],
                    "metadata": metadata,
                    "payment_intent_data": {"metadata": metadata},
                },
                options={"idempotency_key": f"checkout:{charge.invoice_id}:{charge.attempt}"},
            )
        except stripe.StripeError as error:
            raise _classified("create checkout session", error) from error
        return _session(session)

    @retrying("stripe", attempts=ATTEMPTS)
    def checkout_session(self, session_id: str) -> CheckoutSession:
        try:
            return _session(self._client.v1.checkout.sessions.retrieve(session_id))
        except stripe.StripeError as error:
            raise _classified("retrieve checkout session", error) from error

    @retrying("stripe", attempts=ATTEMPTS)
    def charge(self, payer_id: str, payment_method_id: str, charge: Charge) -> ChargeOutcome:
        try:
            intent = self._client.v1.payment_intents.create(
                params={
                    "amount": charge.amount,
                    "currency": charge.currency.lower(),
                    "customer": payer_id,
                    "payment_method": payment_method_id,
                    "confirm": True,
                    "off_session": True,
                    "description": charge.description,
                    "metadata": _metadata(charge),
                },
                options={"idempotency_key": f"charge:{charge.invoice_id}:{charge.attempt}"},
            )
        except stripe.CardError as error:
            raw = error.error
            intent_id = None
            if raw is not None and raw.payment_intent is not None:
                intent_id = str(raw.payment_intent.id)
            return ChargeOutcome(
                succeeded=False,
                payment_intent_id=intent_id,
                error_code=(raw.decline_code or raw.code or "card_declined") if raw else "card",
                error_message=error.user_message or "the card was declined",
            )
        except stripe.StripeError as error:
            raise _classified("create payment intent", error) from error
        if intent.status != "succeeded":
            return ChargeOutcome(False, str(intent.id), intent.status, "payment not completed")
        return ChargeOutcome(True, str(intent.id))

    @retrying("stripe", attempts=ATTEMPTS)
    def refund(self, payment_intent_id: str, invoice_id: UUID, amount: int) -> str:
        try:
            refund = self._client.v1.refunds.create(
                params={
                    "payment_intent": payment_intent_id,
                    "amount": amount,
                    "metadata": {"invoice_id": str(invoice_id)},
                },
                options={"idempotency_key": f"refund:{invoice_id}:{payment_intent_id}"},
            )
        except stripe.StripeError as error:
            raise _classified("refund", error) from error
        return str(refund.id)


def _metadata(charge: Charge) -> dict[str, str]:
    """What comes back on every webhook about the charge: whose invoice it pays."""
    return {
        "invoice_id": str(charge.invoice_id),
        "tenant_id": str(charge.tenant_id),
        "attempt": str(charge.attempt),
    }


def _session(session: stripe.checkout.Session) -> CheckoutSession:
    expires = datetime.fromtimestamp(session.expires_at, UTC) if session.expires_at else None
    return CheckoutSession(
        id=str(session.id),
        url=str(session.url or ""),
        expires_at=expires,
        open=session.status == "open",
    )
