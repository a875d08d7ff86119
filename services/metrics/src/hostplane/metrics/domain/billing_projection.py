"""Billing's projection rules: what each of its events changes in the mPanel read models.

Every payload carries its aggregate's whole state, so a rule saves that state as of the
event's version; the few facts an aggregate's state leaves out (a credit note's number, a
checkout session) are kept beside it. The audit log is written for every event (`audit.py`).
"""

from collections.abc import Callable
from typing import Any

from hostplane.contracts import billing_events as b
from hostplane.contracts.billing import SubscriptionStatus
from hostplane.contracts.payload import EventPayload
from hostplane.metrics.domain.billing_changes import (
    AccountSaved,
    CheckoutOpened,
    CloudPodSaved,
    CouponSaved,
    CreditNoteIssued,
    CustomerSaved,
    InstanceOwned,
    InvoiceSaved,
    OperatorSaved,
    OrderSaved,
    ProductSaved,
    SubscriptionSaved,
    TenantSaved,
)
from hostplane.metrics.domain.changes import Change

# Rules take the event (of the type they are listed under) and its aggregate's version.
Rule = Callable[[Any, int], list[Change]]


def _saves(saved: Callable[[Any, int], Change]) -> Rule:
    """A rule saving the event's state as `saved` (a change made of the event and version)."""

    def rule(ev: EventPayload, version: int) -> list[Change]:
        return [saved(ev, version)]

    return rule


def _subscription(ev: b.SubscriptionEvent, version: int) -> list[Change]:
    ends = ev.cancel_at_period_end or ev.status == SubscriptionStatus.CANCELLED
    return [SubscriptionSaved(ev, version, renews_at=None if ends else ev.period_end)]


def _cloudpod(ev: b.CloudPodRequested, version: int) -> list[Change]:
    return [CloudPodSaved(ev, version), InstanceOwned(ev.instance_id, ev.tenant_id)]


def _refunded(ev: b.InvoiceRefunded, version: int) -> list[Change]:
    return [InvoiceSaved(ev, version), CreditNoteIssued(ev.invoice_id, ev.credit_note_number)]


def _checkout(ev: b.PaymentSessionCreated, _: int) -> list[Change]:
    return [CheckoutOpened(ev.invoice_id, ev.session_id, ev.checkout_url)]


def _audited_only(ev: b.PaymentEvent, _: int) -> list[Change]:
    """A payment's attempt changes no row: the invoice's own events carry what it paid (and
    dunning what failed); the attempt is in the tenant's audit log."""
    return []


BILLING_RULES: dict[type[EventPayload], Rule] = {
    b.TenantCreated: _saves(TenantSaved),
    b.OperatorCreated: _saves(OperatorSaved),
    b.OperatorUpdated: _saves(OperatorSaved),
    b.OperatorDeleted: _saves(OperatorSaved),
    b.AccountRegistered: _saves(AccountSaved),
    b.AccountUpdated: _saves(AccountSaved),
    b.AccountPasswordChanged: _saves(AccountSaved),
    b.AccountSuspended: _saves(AccountSaved),
    b.AccountReactivated: _saves(AccountSaved),
    b.CustomerCreated: _saves(CustomerSaved),
    b.CustomerUpdated: _saves(CustomerSaved),
    b.CustomerPaymentMethodAdded: _saves(CustomerSaved),
    b.CustomerPaymentMethodRemoved: _saves(CustomerSaved),
    b.ProductCreated: _saves(ProductSaved),
    b.ProductUpdated: _saves(ProductSaved),
    b.ProductRetired: _saves(ProductSaved),
    b.CouponCreated: _saves(CouponSaved),
    b.CouponRedeemed: _saves(CouponSaved),
    b.OrderPlaced: _saves(OrderSaved),
    b.OrderPaid: _saves(OrderSaved),
    b.OrderProvisioning: _saves(OrderSaved),
    b.OrderCompleted: _saves(OrderSaved),
    b.OrderFailed: _saves(OrderSaved),
    b.SubscriptionStarted: _subscription,
    b.SubscriptionRenewed: _subscription,
    b.SubscriptionCancelScheduled: _subscription,
    b.SubscriptionCancelled: _subscription,
    b.SubscriptionPlanChanged: _subscription,
    b.SubscriptionSuspended: _subscription,
    b.SubscriptionReactivated: _subscription,
    b.CloudPodRequested: _cloudpod,
    b.CloudPodRenamed: _saves(CloudPodSaved),
    b.InvoiceCreated: _saves(InvoiceSaved),
    b.InvoiceFinalized: _saves(InvoiceSaved),
    b.InvoicePaid: _saves(InvoiceSaved),
    b.InvoiceOverdue: _saves(InvoiceSaved),
    b.InvoiceCancelled: _saves(InvoiceSaved),
    b.InvoiceRefunded: _refunded,
    b.PaymentSucceeded: _audited_only,
    b.PaymentFailed: _audited_only,
    b.PaymentSessionCreated: _checkout,
}
