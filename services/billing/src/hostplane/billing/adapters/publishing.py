"""What billing's stored events look like on Kafka: payloads, and commands to provisioning.

`PAYLOADS` maps each stored event type to its public payload, built from the aggregate's state
right after the event (`StateFollower`); `COMMANDS` maps the CloudPod's `…Ordered` events to
the provisioning commands they are, with command ids derived from the event, so a command
published twice is one job.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import DomainEventProtocol

from hostplane.billing.adapters.following import StateFollower
from hostplane.billing.domain.accounts import ClientUser, Operator, Tenant
from hostplane.billing.domain.catalog import Coupon, Product
from hostplane.billing.domain.cloudpod import CloudPod
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.customer_account import Account
from hostplane.billing.domain.invoice import Invoice
from hostplane.billing.domain.order import Order
from hostplane.billing.domain.subscription import Subscription
from hostplane.contracts import billing_events as be
from hostplane.contracts import events as contract
from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE
from hostplane.contracts.payload import EventPayload
from hostplane.contracts.secrets import SealedSecret
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.messaging import jobs
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.commands import OutgoingCommand

SOURCE = "hostplane/billing"

# (the aggregate after the event, the event, when) -> its payload
ToPayload = Callable[[Any, Any, datetime], EventPayload]


def _actor(e: Any) -> UUID | None:
    return getattr(e, "actor_id", None)


def _operator(kind: type[be.OperatorEvent]) -> ToPayload:
    return lambda a, e, at: kind(
        occurred_at=at,
        tenant_id=a.tenant_id,
        actor_id=_actor(e),
        user_id=a.id,
        name=a.name,
        email=a.email,
        roles=a.roles,
        status=a.status,
        password=SealedSecret.model_validate(a.password) if a.password else None,
    )


def _account_fields(a: Account, e: Any) -> dict[str, Any]:
    return {
        "tenant_id": a.tenant_id,
        "actor_id": _actor(e),
        "account_id": a.id,
        "customer_id": a.customer_id,
        "email": a.email,
        "name": a.name,
        "role": a.role,
        "status": a.status,
        "password": SealedSecret.model_validate(a.password) if a.password else None,
        "password_changed_at": a.password_changed_at,
    }


def _account(kind: type[be.AccountEvent]) -> ToPayload:
    return lambda a, e, at: kind(occurred_at=at, **_account_fields(a, e))


def _account_status(kind: type[be.AccountSuspended | be.AccountReactivated]) -> ToPayload:
    return lambda a, e, at: kind(occurred_at=at, reason=e.reason, **_account_fields(a, e))


def _customer_fields(a: Customer, e: Any) -> dict[str, Any]:
    return {
        "tenant_id": a.tenant_id,
        "actor_id": _actor(e),
        "customer_id": a.id,
        "name": a.name,
        "email": a.email,
        "phone": a.phone,
        "address": a.address,
        "timezone": a.timezone,
        "status": a.status,
        "stripe_customer_id": a.stripe_customer_id,
        "default_payment_method": a.default_payment_method,
        "payment_methods": a.payment_methods,
        "account_id": a.account_id,
    }


def _customer(kind: type[be.CustomerEvent]) -> ToPayload:
    return lambda a, e, at: kind(occurred_at=at, **_customer_fields(a, e))


def _product(kind: type[be.ProductEvent]) -> ToPayload:
    return lambda a, e, at: kind(
        occurred_at=at,
        tenant_id=a.tenant_id,
        actor_id=_actor(e),
        product_id=a.id,
        name=a.name,
        product_type=a.product_type,
        sku=a.sku,
        prices=a.prices,
        specs=a.specs,
        status=a.status,
        placement=a.placement,
    )


def _coupon_created(a: Coupon, e: Any, at: datetime) -> be.CouponEvent:
    return be.CouponCreated(occurred_at=at, **_coupon_fields(a, e))


def _coupon_redeemed(a: Coupon, e: Any, at: datetime) -> be.CouponEvent:
    return be.CouponRedeemed(occurred_at=at, order_id=e.order_id, **_coupon_fields(a, e))


def _coupon_fields(a: Coupon, e: Any) -> dict[str, Any]:
    return {
        "tenant_id": e.tenant_id if hasattr(e, "tenant_id") else a.tenant_id,
        "actor_id": _actor(e),
        "coupon_id": a.id,
        "code": a.code,
        "kind": a.kind,
        "value": a.value,
        "currency": a.currency,
        "expires_at": a.expires_at,
        "max_uses": a.max_uses,
        "uses": a.uses,
    }


def _order(kind: type[be.OrderEvent]) -> ToPayload:
    return lambda a, e, at: kind(
        occurred_at=at,
        tenant_id=a.tenant_id,
        actor_id=_actor(e),
        order_id=a.id,
        customer_id=a.customer_id,
        status=a.status,
        items=a.items,
        coupon_code=a.coupon_code,
        invoice_id=a.invoice_id,
        total=a.total,
        currency=a.currency,
        subscription_ids=a.subscription_ids,
        instance_ids=a.instance_ids,
        error_code=a.error_code,
        error_message=a.error_message,
    )


def _subscription_fields(a: Subscription, e: Any) -> dict[str, Any]:
    return {
        "tenant_id": a.tenant_id,
        "actor_id": _actor(e),
        "subscription_id": a.id,
        "customer_id": a.customer_id,
        "product_id": a.product_id,
        "order_id": a.order_id,
        "status": a.status,
        "billing_cycle": a.billing_cycle,
        "starts_at": a.starts_at,
        "period_start": a.period_start,
        "period_end": a.period_end,
        "cancel_at_period_end": a.cancel_at_period_end,
        "instance_id": a.instance_id,
        "suspension_reason": a.suspension_reason,
        "cancelled_at": a.cancelled_at,
    }


def _subscription(kind: type[be.SubscriptionEvent]) -> ToPayload:
    return lambda a, e, at: kind(occurred_at=at, **_subscription_fields(a, e))


def _cloudpod(kind: type[be.CloudPodRequested]) -> ToPayload:
    """The CloudPod's state after the event, as `kind`."""
    return lambda a, e, at: kind(
        occurred_at=at,
        tenant_id=a.tenant_id,
        actor_id=_actor(e),
        instance_id=a.id,
        subscription_id=a.subscription_id,
        customer_id=a.customer_id,
        order_id=a.order_id,
        product_id=a.product_id,
        name=a.name,
        template=a.template,
        plan=a.plan,
        region=a.region,
    )


def _invoice_fields(a: Invoice, e: Any) -> dict[str, Any]:
    return {
        "invoice_id": a.id,
        "tenant_id": a.tenant_id,
        "actor_id": _actor(e),
        "customer_id": a.customer_id,
        "status": a.status,
        "number": a.number,
        "currency": a.currency,
        "lines": a.lines,
        "subtotal": a.subtotal,
        "tax": a.tax,
        "tax_rate_bp": a.tax_rate_bp,
        "tax_country": a.tax_country,
        "total": a.total,
        "amount_paid": a.amount_paid,
        "amount_refunded": a.amount_refunded,
        "order_id": a.order_id,
        "subscription_id": a.subscription_id,
        "period_start": a.period_start,
        "period_end": a.period_end,
        "issued_at": a.issued_at,
        "due_at": a.due_at,
        "paid_at": a.paid_at,
    }


def _invoice(kind: type[be.InvoiceState]) -> ToPayload:
    return lambda a, e, at: kind(occurred_at=at, **_invoice_fields(a, e))


def _payment_fields(a: Invoice, e: Any) -> dict[str, Any]:
    return {
        "invoice_id": a.id,
        "tenant_id": a.tenant_id,
        "customer_id": a.customer_id,
        "amount": getattr(e, "amount", a.total),
        "currency": a.currency,
        "attempt": e.attempt,
        "payment_intent_id": e.payment_intent_id,
    }


PAYLOADS: dict[type[Any], ToPayload] = {
    Tenant.Created: lambda a, e, at: be.TenantCreated(
        occurred_at=at, tenant_id=a.id, actor_id=_actor(e), name=a.name, status=a.status
    ),
    Operator.Created: _operator(be.OperatorCreated),
    Operator.Updated: _operator(be.OperatorUpdated),
    Operator.Deleted: _operator(be.OperatorDeleted),
    ClientUser.Registered: lambda a, e, at: contract.UserRegistered(
        occurred_at=at, user_id=a.id, whmcs_client_id=a.whmcs_client_id, email=a.email
    ),
    ClientUser.LoggedIn: lambda a, e, at: contract.UserLoggedIn(
        occurred_at=at, user_id=a.id, whmcs_client_id=a.whmcs_client_id, email=a.email
    ),
    Account.Registered: _account(be.AccountRegistered),
    Account.Updated: _account(be.AccountUpdated),
    Account.PasswordChanged: _account(be.AccountPasswordChanged),
    Account.Suspended: _account_status(be.AccountSuspended),
    Account.Reactivated: _account_status(be.AccountReactivated),
    Customer.Created: _customer(be.CustomerCreated),
    Customer.Updated: _customer(be.CustomerUpdated),
    Customer.PaymentMethodAdded: lambda a, e, at: be.CustomerPaymentMethodAdded(
        occurred_at=at, payment_method_id=e.card["id"], **_customer_fields(a, e)
    ),
    Customer.PaymentMethodRemoved: lambda a, e, at: be.CustomerPaymentMethodRemoved(
        occurred_at=at, payment_method_id=e.payment_method_id, **_customer_fields(a, e)
    ),
    Product.Created: _product(be.ProductCreated),
    Product.Updated: _product(be.ProductUpdated),
    Product.Retired: _product(be.ProductRetired),
    Coupon.Created: _coupon_created,
    Coupon.Redeemed: _coupon_redeemed,
    Order.Placed: _order(be.OrderPlaced),
    Order.Paid: _order(be.OrderPaid),
    Order.Provisioning: _order(be.OrderProvisioning),
    Order.Completed: _order(be.OrderCompleted),
    Order.Failed: _order(be.OrderFailed),
    Subscription.Started: _subscription(be.SubscriptionStarted),
    Subscription.Renewed: lambda a, e, at: be.SubscriptionRenewed(
        occurred_at=at,
        invoice_id=e.invoice_id,
        autopay=getattr(e, "autopay", False),
        **_subscription_fields(a, e),
    ),
    Subscription.CancelScheduled: _subscription(be.SubscriptionCancelScheduled),
    Subscription.Cancelled: _subscription(be.SubscriptionCancelled),
    Subscription.PlanChanged: lambda a, e, at: be.SubscriptionPlanChanged(
        occurred_at=at,
        previous_product_id=e.previous_product_id,
        invoice_id=e.invoice_id,
        **_subscription_fields(a, e),
    ),
    Subscription.Suspended: _subscription(be.SubscriptionSuspended),
    Subscription.Reactivated: _subscription(be.SubscriptionReactivated),
    CloudPod.Requested: _cloudpod(be.CloudPodRequested),
    CloudPod.Renamed: _cloudpod(be.CloudPodRenamed),
    Invoice.Created: _invoice(be.InvoiceCreated),
    Invoice.Finalized: _invoice(be.InvoiceFinalized),
    Invoice.Paid: _invoice(be.InvoicePaid),
    Invoice.Overdue: lambda a, e, at: be.InvoiceOverdue(
        occurred_at=at, days_overdue=e.days, **_invoice_fields(a, e)
    ),
    Invoice.Cancelled: _invoice(be.InvoiceCancelled),
    Invoice.Refunded: lambda a, e, at: be.InvoiceRefunded(
        occurred_at=at,
        credit_note_number=e.credit_note_number,
        refund_id=e.refund_id,
        reason=e.reason,
        **_invoice_fields(a, e),
    ),
    Invoice.PaymentSucceeded: lambda a, e, at: be.PaymentSucceeded(
        occurred_at=at, **_payment_fields(a, e)
    ),
    Invoice.PaymentFailed: lambda a, e, at: be.PaymentFailed(
        occurred_at=at, error_code=e.code, error_message=e.message, **_payment_fields(a, e)
    ),
    Invoice.SessionOpened: lambda a, e, at: be.PaymentSessionCreated(
        occurred_at=at,
        invoice_id=a.id,
        tenant_id=a.tenant_id,
        customer_id=a.customer_id,
        session_id=e.session_id,
        checkout_url=e.url,
        expires_at=e.expires_at,
    ),
}

# (the CloudPod after the event, the event) -> the provisioning command it is
ToCommand = Callable[[CloudPod, Any], Any]

COMMANDS: dict[type[Any], ToCommand] = {
    CloudPod.ProvisioningOrdered: lambda pod, e: commands.CreateInstance(
        instance_id=pod.id,
        whmcs_service_id=0,
        whmcs_client_id=0,
        plan=pod.plan,
        region=pod.region,
        email=pod.email,
        subdomain=pod.subdomain,
        tenant_id=pod.tenant_id,
        customer_id=pod.customer_id,
        subscription_id=pod.subscription_id,
        image=pod.image,
        ssh_public_keys=pod.ssh_public_keys,
    ),
    CloudPod.SuspendOrdered: lambda pod, e: commands.SuspendInstance(
        instance_id=pod.id, reason=e.reason
    ),
    CloudPod.UnsuspendOrdered: lambda pod, e: commands.UnsuspendInstance(instance_id=pod.id),
    CloudPod.TerminateOrdered: lambda pod, e: commands.TerminateInstance(instance_id=pod.id),
}


def command_id(event: DomainEventProtocol[Any]) -> UUID:
    """A command's id (and its job's) from the event that stored it."""
    return uuid5(
        HOSTPLANE_NAMESPACE, f"billing-command:{event.originator_id}:{event.originator_version}"
    )


class Translator:
    """The outbox's `translate` for billing: follows aggregates' states to build payloads."""

    def __init__(self, follower: StateFollower) -> None:
        self._follower = follower

    def __call__(self, event: DomainEventProtocol[Any]) -> OutgoingEvent | OutgoingCommand | None:
        kind = type(event)
        job_payload = jobs.PAYLOADS.get(kind)
        if job_payload is not None:
            payload = job_payload(event, event.timestamp)
            return OutgoingEvent(payload, event.originator_id, event.originator_version, SOURCE)
        to_command = COMMANDS.get(kind)
        to_payload = PAYLOADS.get(kind)
        if to_command is None and to_payload is None:
            self._follower.state_after(event)  # keep following: later events need the state
            return None
        state = self._follower.state_after(event)
        if to_command is not None:
            command = to_command(state, event)
            return OutgoingCommand(command, PROVISIONING_COMMANDS, state.id, command_id(event))
        assert to_payload is not None
        return OutgoingEvent(
            to_payload(state, event, event.timestamp),
            event.originator_id,
            event.originator_version,
            SOURCE,
        )
