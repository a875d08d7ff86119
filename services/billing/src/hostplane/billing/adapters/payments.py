"""The payments port: what billing asks of its payment provider (Stripe).

Every call is safe to repeat: each carries an idempotency key derived from what it is for
(a charge: the invoice and the attempt number), so a retry after a crash or a lost answer
gets the provider's first answer again instead of a second effect.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class Payer:
    """Who pays: billing's customer and, once made, its customer at the provider."""

    customer_id: UUID
    tenant_id: UUID
    email: str
    name: str
    provider_customer_id: str | None


@dataclass(frozen=True)
class Charge:
    """One charge of an invoice: attempt `attempt` of `amount` in `currency`."""

    invoice_id: UUID
    tenant_id: UUID
    attempt: int
    amount: int
    currency: str
    description: str


@dataclass(frozen=True)
class ChargeOutcome:
    succeeded: bool
    payment_intent_id: str | None
    error_code: str = ""
    error_message: str = ""


@dataclass(frozen=True)
class SavedCard:
    """A card saved for a customer, as the provider describes it."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    expires_at: datetime | None
    open: bool = True


class Payments(Protocol):
    name: str

    def ensure_customer(self, payer: Payer) -> str:
        """The payer's customer id at the provider, made once."""
        ...

    def attach_payment_method(self, provider_customer_id: str, payment_method_id: str) -> SavedCard:
        """Save a payment method for the customer (a card refused: PAYMENT_FAILED)."""
        ...

    def set_default_payment_method(
        self, provider_customer_id: str, payment_method_id: str | None
    ) -> None:
        """The method the provider charges the customer's invoices with (None: no default)."""
        ...

    def detach_payment_method(self, payment_method_id: str) -> None:
        """Make sure the method is saved for no one any more."""
        ...

    def open_checkout(
        self,
        payer_id: str,
        charge: Charge,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutSession:
        """A hosted page where the customer pays `charge` (its attempt: the session's number)."""
        ...

    def checkout_session(self, session_id: str) -> CheckoutSession:
        """A session as the provider sees it now (it may have expired)."""
        ...

    def charge(self, payer_id: str, payment_method_id: str, charge: Charge) -> ChargeOutcome:
        """Charge a saved payment method off-session; a decline is an outcome, not an error."""
        ...

    def refund(self, payment_intent_id: str, invoice_id: UUID, amount: int) -> str:
        """Give back what an intent took; returns the refund's id."""
        ...
