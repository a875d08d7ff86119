"""Payments through Stripe: a Checkout session for an invoice, and Stripe's webhooks, which
become billing's `RecordStripeEvent` commands."""

import logging
from dataclasses import dataclass

from hostplane.contracts.commands.billing import CreatePaymentSession
from hostplane.contracts.identity import stripe_event_command_id
from hostplane.contracts.mpanel.payments import PaymentSessionRequest
from hostplane.contracts.topics import BILLING_COMMANDS
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.ports import CommandPublisher
from hostplane.gateway.domain.errors import NotFound, Unprocessable
from hostplane.gateway.domain.mpanel.access import Operator
from hostplane.gateway.domain.mpanel.stripe_events import record_command, verified_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    checkout_url: str


@dataclass(frozen=True)
class Payments:
    reads: BillingReads
    commands: PanelCommands

    async def session(self, operator: Operator, request: PaymentSessionRequest) -> CheckoutSession:
        """A Stripe Checkout session paying one of the tenant's invoices; billing refuses
        one for an invoice that is paid or cancelled (409)."""
        if await self.reads.invoice(operator.tenant_id, request.invoice_id) is None:
            raise NotFound("Invoice not found")
        command = CreatePaymentSession(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            invoice_id=request.invoice_id,
            success_url=str(request.success_url),
            cancel_url=str(request.cancel_url),
        )
        job = await self.commands.billing(command)
        if not (job.session_id and job.checkout_url):
            raise Unprocessable("Billing opened no Checkout session", code="NO_SESSION")
        return CheckoutSession(job.session_id, job.checkout_url)


@dataclass(frozen=True)
class StripeWebhooks:
    publisher: CommandPublisher
    secret: str

    async def receive(self, body: bytes, signature: str | None) -> None:
        """Check Stripe's signature; an event about an invoice's payment becomes a command
        for billing (a delivery seen before is the same job, which billing ignores)."""
        event = verified_event(body, signature, self.secret)
        command = record_command(event) if event else None
        if event is None or command is None:
            return
        await self.publisher.send(
            BILLING_COMMANDS,
            command.invoice_id,
            command,
            command_id=stripe_event_command_id(event.id),
        )
        log.info("stripe event %s (%s) sent to billing", event.id, event.type)
