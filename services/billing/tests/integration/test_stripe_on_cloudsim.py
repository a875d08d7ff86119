"""Billing's Stripe adapter against cloudsim's Stripe, through the official `stripe` library:
one charge per (invoice, attempt) however often it is asked, declines as outcomes, checkout
sessions and refunds."""

from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest

from hostplane.billing.adapters.payments import Charge, Payer
from hostplane.billing.adapters.stripe_payments import StripePayments
from hostplane.cloudsim.app import create_app
from hostplane.providers.errors import ProviderError
from tools.cloudsim.tests.conftest import serve

KEY = "sk_test_billing_adapter"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def cloudsim_url() -> Iterator[str]:
    yield from serve(create_app({"CLOUDSIM_STRIPE_SECRET_KEY": KEY}))


@pytest.fixture
def stripe(cloudsim_url: str) -> StripePayments:
    return StripePayments(f"{cloudsim_url}/stripe", KEY, timeout_s=5)


def _payer(stripe: StripePayments) -> tuple[Payer, str]:
    payer = Payer(uuid4(), uuid4(), "jo@example.com", "Jo", None)
    return payer, stripe.ensure_customer(payer)


def _charge(attempt: int = 1, amount: int = 1189) -> Charge:
    return Charge(uuid4(), uuid4(), attempt, amount, "USD", "Invoice INV-2026-000001")


def _succeeded_charges(cloudsim_url: str, invoice_id: str) -> int:
    intents = httpx.get(
        f"{cloudsim_url}/_admin/stripe/payment_intents",
        params={"metadata_key": "invoice_id", "value": invoice_id, "status": "succeeded"},
    ).json()
    return len(intents)


def test_a_charge_asked_for_again_is_the_same_charge(
    stripe: StripePayments, cloudsim_url: str
) -> None:
    _, customer = _payer(stripe)
    card = stripe.attach_payment_method(customer, "pm_card_visa").id
    charge = _charge()

    first = stripe.charge(customer, card, charge)
    again = stripe.charge(customer, card, charge)  # a retry after a crash: same attempt

    assert first.succeeded and again == first
    assert _succeeded_charges(cloudsim_url, str(charge.invoice_id)) == 1


def test_a_declined_card_is_an_outcome_and_the_next_attempt_a_new_charge(
    stripe: StripePayments, cloudsim_url: str
) -> None:
    _, customer = _payer(stripe)
    declining = stripe.attach_payment_method(customer, "pm_card_chargeDeclined").id
    charge = _charge()

    outcome = stripe.charge(customer, declining, charge)

    assert not outcome.succeeded
    assert outcome.error_code in {"generic_decline", "card_declined"}
    visa = stripe.attach_payment_method(customer, "pm_card_visa").id
    second = stripe.charge(customer, visa, _charge_of(charge, attempt=2))
    assert second.succeeded
    assert _succeeded_charges(cloudsim_url, str(charge.invoice_id)) == 1


def _charge_of(charge: Charge, attempt: int) -> Charge:
    return Charge(
        charge.invoice_id, charge.tenant_id, attempt, charge.amount, charge.currency, "retry"
    )


def test_a_checkout_session_is_paid_by_the_customer_and_refunded_once(
    stripe: StripePayments, cloudsim_url: str
) -> None:
    _, customer = _payer(stripe)
    charge = _charge()

    session = stripe.open_checkout(customer, charge, "https://a.test/ok", "https://a.test/no")
    assert (
        stripe.open_checkout(customer, charge, "https://a.test/ok", "https://a.test/no") == session
    )
    assert session.open and session.url

    completed = httpx.post(f"{cloudsim_url}/_admin/stripe/checkout/sessions/{session.id}/complete")
    completed.raise_for_status()
    assert not stripe.checkout_session(session.id).open
    intent = completed.json()["payment_intent"]
    intent_id = intent if isinstance(intent, str) else intent["id"]

    refund = stripe.refund(intent_id, charge.invoice_id, charge.amount)
    assert stripe.refund(intent_id, charge.invoice_id, charge.amount) == refund
    refunds = httpx.get(f"{cloudsim_url}/_admin/stripe/refunds").json()
    assert [r["id"] for r in refunds if r["payment_intent"] == intent_id] == [refund]


def test_the_same_customer_is_made_once(stripe: StripePayments) -> None:
    payer = Payer(uuid4(), uuid4(), "jo@example.com", "Jo", None)
    assert stripe.ensure_customer(payer) == stripe.ensure_customer(payer)


def test_a_saved_card_is_described_made_the_default_and_detached_once(
    stripe: StripePayments, cloudsim_url: str
) -> None:
    _, customer = _payer(stripe)

    card = stripe.attach_payment_method(customer, "pm_card_visa")
    stripe.set_default_payment_method(customer, card.id)

    assert (card.brand, card.last4) == ("visa", "4242")
    shown = httpx.get(f"{cloudsim_url}/stripe/v1/customers/{customer}", headers=AUTH).json()
    assert shown["invoice_settings"]["default_payment_method"] == card.id
    stripe.detach_payment_method(card.id)
    stripe.detach_payment_method(card.id)  # a repeated removal: already gone, no error
    listed = httpx.get(
        f"{cloudsim_url}/stripe/v1/customers/{customer}/payment_methods", headers=AUTH
    )
    assert listed.json()["data"] == []


def test_a_card_stripe_refuses_when_attached_is_a_payment_failure(stripe: StripePayments) -> None:
    _, customer = _payer(stripe)

    with pytest.raises(ProviderError) as refused:
        stripe.attach_payment_method(customer, "pm_card_visa_chargeDeclined")

    assert refused.value.code == "PAYMENT_FAILED"
