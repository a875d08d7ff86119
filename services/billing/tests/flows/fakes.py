"""A payment provider in memory, keeping Stripe's promises: idempotency keys, declines."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hostplane.billing.adapters.payments import (
    Charge,
    ChargeOutcome,
    CheckoutSession,
    Payer,
    SavedCard,
)
from hostplane.providers.errors import ProviderError

DECLINING = {"pm_card_chargeDeclined", "pm_card_chargeCustomerFail"}
REFUSED_ON_ATTACH = {"pm_card_visa_chargeDeclined"}


@dataclass
class FakePayments:
    name: str = "fake"
    customers: dict[UUID, str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)  # saved id -> test card
    sessions: dict[str, CheckoutSession] = field(default_factory=dict)
    charges: dict[str, ChargeOutcome] = field(default_factory=dict)  # idempotency key ->
    requests: dict[str, tuple[str, str, Charge]] = field(default_factory=dict)  # key -> first
    refunds: dict[str, str] = field(default_factory=dict)  # intent -> refund id
    attached: dict[tuple[str, str], str] = field(default_factory=dict)  # (cus, pm) -> saved
    owners: dict[str, str] = field(default_factory=dict)  # saved id -> customer, if attached
    defaults: dict[str, str | None] = field(default_factory=dict)  # customer -> default

    def ensure_customer(self, payer: Payer) -> str:
        return payer.provider_customer_id or self.customers.setdefault(
            payer.customer_id, f"cus_{len(self.customers) + 1}"
        )

    def attach_payment_method(self, provider_customer_id: str, payment_method_id: str) -> SavedCard:
        if payment_method_id in REFUSED_ON_ATTACH:
            raise ProviderError("PAYMENT_FAILED", "Your card was declined.")
        key = (provider_customer_id, payment_method_id)
        saved = self.attached.setdefault(key, f"pm_saved_{len(self.methods) + 1}")
        self.methods[saved] = payment_method_id
        self.owners[saved] = provider_customer_id
        return SavedCard(saved, "visa", "4242", 12, 2030)

    def set_default_payment_method(
        self, provider_customer_id: str, payment_method_id: str | None
    ) -> None:
        self.defaults[provider_customer_id] = payment_method_id

    def detach_payment_method(self, payment_method_id: str) -> None:
        owner = self.owners.pop(payment_method_id, None)
        if owner is not None and self.defaults.get(owner) == payment_method_id:
            self.defaults[owner] = None

    def open_checkout(
        self, payer_id: str, charge: Charge, success_url: str, cancel_url: str
    ) -> CheckoutSession:
        session_id = f"cs_{charge.invoice_id}_{charge.attempt}"
        return self.sessions.setdefault(
            session_id,
            CheckoutSession(
                session_id,
                f"https://pay.test/{session_id}",
                datetime.now(UTC) + timedelta(hours=1),
            ),
        )

    def checkout_session(self, session_id: str) -> CheckoutSession:
        return self.sessions[session_id]

    def charge(self, payer_id: str, payment_method_id: str, charge: Charge) -> ChargeOutcome:
        key = f"charge:{charge.invoice_id}:{charge.attempt}"
        request = (payer_id, payment_method_id, charge)
        if self.requests.setdefault(key, request) != request:
            # As Stripe: a key is one request; other parameters under it are refused.
            raise ProviderError("STRIPE_IDEMPOTENCY", f"{key} was used with other parameters")
        if key not in self.charges:
            intent = f"pi_{len(self.charges) + 1}"
            card = self.methods.get(payment_method_id, payment_method_id)
            self.charges[key] = (
                ChargeOutcome(False, intent, "card_declined", "declined")
                if card in DECLINING
                else ChargeOutcome(True, intent)
            )
        return self.charges[key]

    def refund(self, payment_intent_id: str, invoice_id: UUID, amount: int) -> str:
        return self.refunds.setdefault(payment_intent_id, f"re_{len(self.refunds) + 1}")

    def successful_charges(self, invoice_id: UUID) -> int:
        prefix = f"charge:{invoice_id}:"
        return sum(1 for k, o in self.charges.items() if k.startswith(prefix) and o.succeeded)
