"""The billing application: its aggregates in PostgreSQL (schema `billing`), and what every
use case shares — finding aggregates within a tenant, numbering, pricing, and payments.

Every use case runs for one consumed Kafka message and stores its events with that message's
position (`save_tracked`), so a redelivered message changes nothing.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from hostplane.billing.adapters.numbering import NumberingTurns
from hostplane.billing.adapters.payments import Charge, ChargeOutcome, Payer, Payments
from hostplane.billing.domain.accounts import Operator, Tenant
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.dunning import DunningSchedule
from hostplane.billing.domain.errors import Refused, not_found
from hostplane.billing.domain.invoice import Invoice, NumberSeries
from hostplane.billing.domain.numbering import credit_note_number, invoice_number
from hostplane.billing.domain.passwords import hash_password
from hostplane.billing.domain.pricing import Totals
from hostplane.billing.domain.tax import tax_rate_bp
from hostplane.contracts.billing import Role
from hostplane.contracts.secrets import SealedSecret, SecretBox
from hostplane.messaging.clock import Clock
from hostplane.messaging.eventstore import TrackedApplication
from hostplane.messaging.jobs import Job
from hostplane.messaging.settings import CatalogSettings

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Rules:
    """What billing's settings decide: tax, due dates, dunning, numbering."""

    tax_rates: dict[str, int]
    dunning: DunningSchedule
    due_days: int = 7
    invoice_prefix: str = "INV"
    credit_note_prefix: str = "CN"


class Billing(TrackedApplication):
    name = "billing"

    def __init__(
        self,
        env: dict[str, str],
        payments: Payments,
        clock: Clock,
        secrets: SecretBox,
        rules: Rules,
        catalog: CatalogSettings,
        numbering: NumberingTurns | None = None,
    ) -> None:
        """`numbering`: the turns numbering commands take; by default, this process's
        threads only."""
        super().__init__(env)
        self.payments = payments
        self.clock = clock
        self.secrets = secrets
        self.rules = rules
        self.catalog = catalog
        self.numbering = numbering or NumberingTurns(None)
        self._together = threading.local()

    def close(self) -> None:
        self.numbering.close()
        super().close()

    # ---- finding -------------------------------------------------------------------------

    @contextmanager
    def together(self) -> Iterator[dict[UUID, Aggregate]]:
        """Commands carried out together and saved at once (in this thread): each finds the
        aggregates the ones before it changed, which the caller adds to the dict yielded, and
        an aggregate is read once for all of them."""
        changed: dict[UUID, Aggregate] = {}
        self._together.changed, self._together.read = changed, {}
        try:
            yield changed
        finally:
            self._together.changed = self._together.read = None

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        changed: dict[UUID, Aggregate] | None = getattr(self._together, "changed", None)
        read: dict[UUID, Aggregate] = getattr(self._together, "read", None) or {}
        found = (changed or {}).get(aggregate_id) or read.get(aggregate_id)
        if found is None:
            try:
                found = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                return None
            if changed is not None:
                read[aggregate_id] = found
        return found if isinstance(found, kind) else None

    def in_tenant(self, kind: type[A], aggregate_id: UUID, tenant_id: UUID) -> A:
        """The aggregate if it belongs to the tenant; another tenant's is not found."""
        found = self.find(kind, aggregate_id)
        if found is None or getattr(found, "tenant_id", None) != tenant_id:
            raise not_found(kind.__name__.lower(), aggregate_id)
        return found

    def new_job(self, job_id: UUID, command: str, subject_id: UUID | None) -> Job | None:
        """A new job for a command, or None when the command was handled before."""
        if self.find(Job, job_id) is not None:
            return None
        return Job(job_id=job_id, command=command, subject_id=subject_id)

    # ---- invoices ------------------------------------------------------------------------

    def tax_for(self, customer: Customer) -> int:
        return tax_rate_bp(customer.country, self.rules.tax_rates)

    def finalize(self, invoice: Invoice, series: dict[UUID, NumberSeries]) -> None:
        """Number the invoice from its tenant's series for this year, and make it due."""
        now = self.clock.now()
        taken = self._series(invoice.tenant_id, now.year, "INV", series).take()
        number = invoice_number(self.rules.invoice_prefix, now.year, taken)
        invoice.finalize(number, now, now + timedelta(days=self.rules.due_days))

    def credit_note(self, tenant_id: UUID, series: dict[UUID, NumberSeries]) -> str:
        now = self.clock.now()
        taken = self._series(tenant_id, now.year, "CN", series).take()
        return credit_note_number(self.rules.credit_note_prefix, now.year, taken)

    def _series(
        self, tenant_id: UUID, year: int, kind: str, taken: dict[UUID, NumberSeries]
    ) -> NumberSeries:
        """The series, once per save (`taken` holds those already changed in this one)."""
        key = NumberSeries.create_id(tenant_id, year, kind)
        if key not in taken:
            found = self.find(NumberSeries, key)
            taken[key] = found or NumberSeries(tenant_id=tenant_id, year=year, kind=kind)
        return taken[key]

    # ---- payments ------------------------------------------------------------------------

    def payer(self, customer: Customer) -> str:
        """The customer's id at Stripe, made on first need (the caller saves the customer)."""
        provider_id = self.payments.ensure_customer(
            Payer(
                customer.id,
                customer.tenant_id,
                customer.email,
                customer.name,
                customer.stripe_customer_id,
            )
        )
        customer.link_stripe(provider_id)
        return provider_id

    def charge_saved(self, invoice: Invoice, customer: Customer) -> ChargeOutcome | None:
        """Charge the customer's saved payment method for the invoice (attempt n: key n)."""
        if customer.default_payment_method is None or not invoice.payable:
            return None
        return self.payments.charge(
            self.payer(customer),
            customer.default_payment_method,
            self.charge_of(invoice, invoice.next_attempt),
        )

    def charge_of(self, invoice: Invoice, attempt: int) -> Charge:
        return Charge(
            invoice_id=invoice.id,
            tenant_id=invoice.tenant_id,
            attempt=attempt,
            amount=invoice.total,
            currency=invoice.currency,
            description=f"Invoice {invoice.number or invoice.id}",
        )

    # ---- accounts ------------------------------------------------------------------------

    def sealed_hash(self, password: SealedSecret) -> dict[str, str]:
        """An operator's or an account's argon2 hash, sealed for the gateway (the password
        never stored)."""
        return self.secrets.seal(hash_password(self.secrets.open(password))).model_dump()

    def ensure_first_admin(self, tenant_name: str, email: str, password: str) -> None:
        """The default tenant and its first admin, made once whatever replicas start."""
        if not password:
            log.warning("no ADMIN_PASSWORD: no first admin is made")
            return
        tenant = self.find(Tenant, Tenant.create_id(tenant_name))
        created: list[Aggregate] = []
        if tenant is None:
            tenant = Tenant(name=tenant_name, status="active", actor_id=None)
            created.append(tenant)
        if self.find(Operator, Operator.create_id(email)) is None:
            sealed = self.secrets.seal(password)
            created.append(
                Operator(
                    email=email.strip().lower(),
                    tenant_id=tenant.id,
                    name="Administrator",
                    roles=[Role.ADMIN.value],
                    status="active",
                    password=self.sealed_hash(sealed),
                    actor_id=None,
                )
            )
        if not created:
            return
        try:
            self.save(*created)
            log.info("made the first admin %s in tenant %s", email, tenant_name)
        except IntegrityError:
            log.info("another replica made the first admin")


def priced_invoice(
    invoice_id: UUID, customer: Customer, totals: Totals, currency: str, **links: Any
) -> Invoice:
    """A draft invoice of `totals` for the customer (links: order, subscription, period)."""
    if totals.subtotal < 0:
        raise Refused("VALIDATION_ERROR", "an invoice cannot be negative")
    return Invoice.draft(
        invoice_id=invoice_id,
        tenant_id=customer.tenant_id,
        customer_id=customer.id,
        currency=currency,
        totals=totals,
        tax_country=customer.country,
        **links,
    )
