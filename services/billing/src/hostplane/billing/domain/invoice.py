"""The Invoice aggregate and the series that numbers invoices without gaps.

`draft → unpaid → paid | cancelled`, and `paid → refunded` through a credit note. A number
is taken from the tenant's series for the year when the invoice is finalised, in the same
transaction: two invoices finalised at once conflict on the series and one is retried, so
numbers are never skipped or shared. A finalised invoice's lines and amounts never change.

Payments are recorded by payment intent: the same intent reported twice (a webhook and the
charge's own answer, or a replayed webhook) is one payment, and a failure reported after the
success changes nothing but the record of attempts, so events arriving in any order leave the
same invoice.
"""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hostplane.billing.domain.errors import Refused
from hostplane.billing.domain.pricing import Totals
from hostplane.contracts.billing import InvoiceStatus
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE


class Invoice(Aggregate):
    @staticmethod
    def create_id(invoice_id: UUID, **_: Any) -> UUID:
        return invoice_id

    @event("Created")
    def __init__(
        self,
        *,
        invoice_id: UUID,
        tenant_id: UUID,
        customer_id: UUID,
        currency: str,
        lines: list[dict[str, Any]],
        subtotal: int,
        tax: int,
        tax_rate_bp: int,
        tax_country: str,
        total: int,
        order_id: UUID | None,
        subscription_id: UUID | None,
        period_start: datetime | None,
        period_end: datetime | None,
        actor_id: UUID | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.customer_id = customer_id
        self.currency = currency
        self.lines = lines
        self.subtotal, self.tax, self.tax_rate_bp, self.total = subtotal, tax, tax_rate_bp, total
        self.tax_country = tax_country
        self.order_id = order_id
        self.subscription_id = subscription_id
        self.period_start, self.period_end = period_start, period_end
        self.status = InvoiceStatus.DRAFT.value
        self.number: str | None = None
        self.issued_at: datetime | None = None
        self.due_at: datetime | None = None
        self.paid_at: datetime | None = None
        self.amount_paid = 0
        self.amount_refunded = 0
        self.payment_intent_id: str | None = None
        self.attempts = 0
        self.failed_intents: list[str] = []
        self.session: dict[str, Any] | None = None
        self.sessions_opened = 0
        self.dunning_done: list[str] = []
        self.overdue = False
        self.credit_note_number: str | None = None
        self.refund_id: str | None = None

    @classmethod
    def draft(
        cls,
        *,
        invoice_id: UUID,
        tenant_id: UUID,
        customer_id: UUID,
        currency: str,
        totals: Totals,
        tax_country: str,
        order_id: UUID | None = None,
        subscription_id: UUID | None = None,
        period: tuple[datetime, datetime] | None = None,
        actor_id: UUID | None = None,
    ) -> "Invoice":
        """A draft invoice of `totals` (its lines sum to its subtotal)."""
        return cls(
            invoice_id=invoice_id,
            tenant_id=tenant_id,
            customer_id=customer_id,
            currency=currency,
            lines=[line.model_dump(mode="json") for line in totals.lines],
            subtotal=totals.subtotal,
            tax=totals.tax,
            tax_rate_bp=totals.tax_rate_bp,
            tax_country=tax_country,
            total=totals.total,
            order_id=order_id,
            subscription_id=subscription_id,
            period_start=period[0] if period else None,
            period_end=period[1] if period else None,
            actor_id=actor_id,
        )

    @property
    def is_paid(self) -> bool:
        return self.status in {InvoiceStatus.PAID.value, InvoiceStatus.REFUNDED.value}

    @property
    def payable(self) -> bool:
        return self.status == InvoiceStatus.UNPAID.value

    @property
    def next_attempt(self) -> int:
        """The number of the next charge: with the invoice id, its idempotency key."""
        return self.attempts + 1

    # ---- finalising ----------------------------------------------------------------------

    def finalize(self, number: str, issued_at: datetime, due_at: datetime) -> None:
        if self.status != InvoiceStatus.DRAFT.value:
            raise Refused("INVALID_STATE", f"invoice is {self.status}, not a draft")
        self._finalized(number=number, issued_at=issued_at, due_at=due_at, actor_id=None)

    @event("Finalized")
    def _finalized(
        self, number: str, issued_at: datetime, due_at: datetime, actor_id: UUID | None
    ) -> None:
        self.number, self.issued_at, self.due_at = number, issued_at, due_at
        self.status = InvoiceStatus.UNPAID.value

    # ---- payments ------------------------------------------------------------------------

    def open_session(self, session_id: str, url: str, expires_at: datetime | None) -> None:
        self._session_opened(session_id=session_id, url=url, expires_at=expires_at)

    @event("SessionOpened")
    def _session_opened(self, session_id: str, url: str, expires_at: datetime | None) -> None:
        self.session = {"id": session_id, "url": url, "expires_at": expires_at}
        self.sessions_opened += 1

    def record_payment(
        self, payment_intent_id: str, amount: int, at: datetime, attempt: int | None = None
    ) -> bool:
        """A payment succeeded. Returns False when it is one already recorded, or an extra
        payment of an invoice paid by another intent (the caller refunds that one)."""
        if self.is_paid or self.status == InvoiceStatus.CANCELLED.value:
            return False
        self._payment_succeeded(
            payment_intent_id=payment_intent_id, amount=amount, attempt=attempt or self.attempts
        )
        self._paid(
            payment_intent_id=payment_intent_id,
            amount=amount,
            paid_at=at,
            attempt=attempt or self.attempts,
            actor_id=None,
        )
        return True

    @event("PaymentSucceeded")
    def _payment_succeeded(self, payment_intent_id: str, amount: int, attempt: int) -> None:
        self.attempts = max(self.attempts, attempt)

    @event("Paid")
    def _paid(
        self,
        payment_intent_id: str,
        amount: int,
        paid_at: datetime,
        attempt: int,
        actor_id: UUID | None,
    ) -> None:
        self.status = InvoiceStatus.PAID.value
        self.payment_intent_id = payment_intent_id
        self.amount_paid = amount
        self.paid_at = paid_at
        self.attempts = max(self.attempts, attempt)
        self.overdue = False

    def record_failure(
        self, attempt: int, payment_intent_id: str | None, code: str, message: str
    ) -> bool:
        """A charge failed; each attempt (or intent) is recorded once."""
        seen = payment_intent_id is not None and payment_intent_id in self.failed_intents
        if seen or (payment_intent_id is None and attempt <= self.attempts):
            return False
        self._payment_failed(
            attempt=attempt, payment_intent_id=payment_intent_id, code=code, message=message
        )
        return True

    @event("PaymentFailed")
    def _payment_failed(
        self, attempt: int, payment_intent_id: str | None, code: str, message: str
    ) -> None:
        self.attempts = max(self.attempts, attempt)
        if payment_intent_id is not None:
            self.failed_intents.append(payment_intent_id)

    # ---- dunning -------------------------------------------------------------------------

    def mark_overdue(self, days: int) -> None:
        if self.payable and not self.overdue:
            self._overdue(days=days)

    @event("Overdue")
    def _overdue(self, days: int) -> None:
        self.overdue = True

    def dunning_step_done(self, step: str) -> None:
        if step not in self.dunning_done:
            self._dunning_step_done(step=step)

    @event("DunningStepDone")
    def _dunning_step_done(self, step: str) -> None:
        self.dunning_done.append(step)

    # ---- ending --------------------------------------------------------------------------

    def cancel(self, actor_id: UUID | None) -> None:
        if self.status == InvoiceStatus.CANCELLED.value:
            return
        if self.status not in {InvoiceStatus.DRAFT.value, InvoiceStatus.UNPAID.value}:
            raise Refused("INVALID_STATE", f"a {self.status} invoice cannot be cancelled")
        self._cancelled(actor_id=actor_id)

    @event("Cancelled")
    def _cancelled(self, actor_id: UUID | None) -> None:
        self.status = InvoiceStatus.CANCELLED.value

    def refund(
        self, credit_note_number: str, refund_id: str | None, reason: str, actor_id: UUID | None
    ) -> None:
        """Refund what was paid, recorded as a credit note."""
        if self.status != InvoiceStatus.PAID.value:
            raise Refused("INVALID_STATE", f"a {self.status} invoice cannot be refunded")
        self._refunded(
            credit_note_number=credit_note_number,
            refund_id=refund_id,
            reason=reason,
            amount=self.amount_paid,
            actor_id=actor_id,
        )

    @event("Refunded")
    def _refunded(
        self,
        credit_note_number: str,
        refund_id: str | None,
        reason: str,
        amount: int,
        actor_id: UUID | None,
    ) -> None:
        self.status = InvoiceStatus.REFUNDED.value
        self.credit_note_number = credit_note_number
        self.refund_id = refund_id
        self.amount_refunded = amount


def series_id(tenant_id: UUID, year: int, kind: str) -> UUID:
    return uuid5(HOSTPLANE_NAMESPACE, f"series:{tenant_id}:{year}:{kind}")


class NumberSeries(Aggregate):
    """A tenant's gapless numbers for one year: invoices (`INV`) or credit notes (`CN`)."""

    @staticmethod
    def create_id(tenant_id: UUID, year: int, kind: str, **_: Any) -> UUID:
        return series_id(tenant_id, year, kind)

    @event("Started")
    def __init__(self, *, tenant_id: UUID, year: int, kind: str) -> None:
        self.tenant_id, self.year, self.kind = tenant_id, year, kind
        self.last = 0

    def take(self) -> int:
        """The next number, stored with the document that carries it."""
        self._taken(number=self.last + 1)
        return self.last

    @event("Taken")
    def _taken(self, number: int) -> None:
        self.last = number
