"""Billing's event payloads: `invoice.events` (key: invoice id) and `billing.events`.

Each payload carries its aggregate's public state after the change (additive only), so a
subscriber can keep a row per aggregate from any one event, and `actor_id`: the user who
caused it (None: the platform itself — its clock, Stripe, provisioning). Type names are
seed 003's where it has them (`invoice.created`, `invoice.paid`, `invoice.overdue`,
`payment.succeeded`, `payment.failed`).
"""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts.billing import (
    Address,
    BillingCycle,
    CloudPodPlacement,
    CouponKind,
    InvoiceLine,
    InvoiceStatus,
    OrderLine,
    OrderStatus,
    Price,
    ProductSpecs,
    ProductType,
    Role,
    SubscriptionStatus,
)
from hostplane.contracts.payload import EventPayload
from hostplane.contracts.secrets import SealedSecret
from hostplane.contracts.topics import BILLING_EVENTS, INVOICE_EVENTS


class BillingEvent(EventPayload):
    topic = BILLING_EVENTS
    tenant_id: UUID
    actor_id: UUID | None = None


# ---- billing.events: tenants and their operators ------------------------------------------


class TenantCreated(BillingEvent):
    ce_type = "tenant.created"
    name: str
    status: str


class OperatorEvent(BillingEvent):
    """An operator's state. `password` is its argon2 hash, sealed (CONFIG_SECRETS_KEY): only
    the gateway, which checks logins, opens it."""

    user_id: UUID
    name: str
    email: str
    roles: list[Role]
    status: str
    password: SealedSecret | None


class OperatorCreated(OperatorEvent):
    ce_type = "user.created"


class OperatorUpdated(OperatorEvent):
    ce_type = "user.updated"


class OperatorDeleted(OperatorEvent):
    ce_type = "user.deleted"


# ---- CloudVPS accounts: customers who sign in ---------------------------------------------


class AccountEvent(BillingEvent):
    """A CloudVPS account's state: who signs in to `/api/v1` (by email, unique in its tenant
    whatever its case) and the customer who pays for it. `password` is its argon2 hash,
    sealed (CONFIG_SECRETS_KEY) like an operator's: only the gateway opens it."""

    account_id: UUID
    customer_id: UUID
    email: str
    name: str
    role: str
    status: str
    password: SealedSecret | None
    password_changed_at: datetime | None


class AccountRegistered(AccountEvent):
    ce_type = "account.registered"


class AccountUpdated(AccountEvent):
    ce_type = "account.updated"


class AccountPasswordChanged(AccountEvent):
    ce_type = "account.password_changed"


class AccountSuspended(AccountEvent):
    ce_type = "account.suspended"
    reason: str | None = None


class AccountReactivated(AccountEvent):
    ce_type = "account.reactivated"
    reason: str | None = None


# ---- customers --------------------------------------------------------------------------


class SavedCard(BaseModel):
    """A card the customer saved at Stripe, as Stripe describes it."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class CustomerEvent(BillingEvent):
    """A customer's state. `account_id` is the CloudVPS account it pays for (None: a customer
    without one, such as an mPanel tenant's, or one told of before customers carried it)."""

    customer_id: UUID
    name: str
    email: str
    phone: str
    address: Address
    timezone: str
    status: str
    stripe_customer_id: str | None
    default_payment_method: str | None = None
    payment_methods: list[SavedCard] = []
    account_id: UUID | None = None


class CustomerCreated(CustomerEvent):
    ce_type = "customer.created"


class CustomerUpdated(CustomerEvent):
    ce_type = "customer.updated"


class CustomerPaymentMethodAdded(CustomerEvent):
    ce_type = "customer.payment_method_added"
    payment_method_id: str


class CustomerPaymentMethodRemoved(CustomerEvent):
    ce_type = "customer.payment_method_removed"
    payment_method_id: str


# ---- catalog ----------------------------------------------------------------------------


class ProductEvent(BillingEvent):
    product_id: UUID
    name: str
    product_type: ProductType
    sku: str
    prices: list[Price]
    specs: ProductSpecs
    status: str
    placement: CloudPodPlacement | None


class ProductCreated(ProductEvent):
    ce_type = "product.created"


class ProductUpdated(ProductEvent):
    ce_type = "product.updated"


class ProductRetired(ProductEvent):
    ce_type = "product.retired"


class CouponEvent(BillingEvent):
    coupon_id: UUID
    code: str
    kind: CouponKind
    value: int
    currency: str | None
    expires_at: datetime | None
    max_uses: int | None
    uses: int


class CouponCreated(CouponEvent):
    ce_type = "coupon.created"


class CouponRedeemed(CouponEvent):
    ce_type = "coupon.redeemed"
    order_id: UUID


# ---- orders -----------------------------------------------------------------------------


class OrderEvent(BillingEvent):
    order_id: UUID
    customer_id: UUID
    status: OrderStatus
    items: list[OrderLine]
    coupon_code: str | None
    invoice_id: UUID
    total: int
    currency: str
    subscription_ids: list[UUID] = []
    instance_ids: list[UUID] = []
    error_code: str | None = None
    error_message: str | None = None


class OrderPlaced(OrderEvent):
    ce_type = "order.created"


class OrderPaid(OrderEvent):
    ce_type = "order.paid"


class OrderProvisioning(OrderEvent):
    ce_type = "order.provisioning"


class OrderCompleted(OrderEvent):
    ce_type = "order.completed"


class OrderFailed(OrderEvent):
    ce_type = "order.failed"


# ---- subscriptions ----------------------------------------------------------------------


class SubscriptionEvent(BillingEvent):
    subscription_id: UUID
    customer_id: UUID
    product_id: UUID
    order_id: UUID | None
    status: SubscriptionStatus
    billing_cycle: BillingCycle
    starts_at: datetime
    period_start: datetime
    period_end: datetime
    cancel_at_period_end: bool
    instance_id: UUID | None
    # Why its instance is suspended: "overdue" when billing suspended it for non-payment.
    suspension_reason: str | None = None
    cancelled_at: datetime | None = None


class SubscriptionStarted(SubscriptionEvent):
    ce_type = "subscription.created"


class SubscriptionRenewed(SubscriptionEvent):
    ce_type = "subscription.renewed"
    invoice_id: UUID
    # The renewal's invoice is charged to the customer's saved payment method.
    autopay: bool = False


class SubscriptionCancelScheduled(SubscriptionEvent):
    ce_type = "subscription.cancel_scheduled"


class SubscriptionCancelled(SubscriptionEvent):
    ce_type = "subscription.cancelled"


class SubscriptionPlanChanged(SubscriptionEvent):
    ce_type = "subscription.plan_changed"
    previous_product_id: UUID
    invoice_id: UUID | None


class SubscriptionSuspended(SubscriptionEvent):
    ce_type = "subscription.suspended"


class SubscriptionReactivated(SubscriptionEvent):
    ce_type = "subscription.reactivated"


class CloudPodRequested(BillingEvent):
    """Billing asked provisioning for a subscription's server (instance id: deterministic)."""

    ce_type = "cloudpod.requested"
    instance_id: UUID
    subscription_id: UUID
    customer_id: UUID
    order_id: UUID | None
    product_id: UUID
    name: str
    template: str  # the product's SKU
    plan: str
    region: str


class CloudPodRenamed(CloudPodRequested):
    """The CloudPod (a CloudVPS VPS) has a new name, given by its customer; its whole state
    as after `cloudpod.requested`."""

    ce_type = "cloudpod.renamed"


# ---- invoice.events (key: invoice id): invoices and their payments ------------------------


class InvoiceEvent(EventPayload):
    topic = INVOICE_EVENTS
    invoice_id: UUID
    tenant_id: UUID
    actor_id: UUID | None = None


class InvoiceState(InvoiceEvent):
    customer_id: UUID
    status: InvoiceStatus
    number: str | None
    currency: str
    lines: list[InvoiceLine]
    subtotal: int
    tax: int
    tax_rate_bp: int  # basis points: 2000 = 20 %
    tax_country: str
    total: int
    amount_paid: int
    amount_refunded: int
    order_id: UUID | None
    subscription_id: UUID | None
    period_start: datetime | None
    period_end: datetime | None
    issued_at: datetime | None
    due_at: datetime | None
    paid_at: datetime | None


class InvoiceCreated(InvoiceState):
    ce_type = "invoice.created"


class InvoiceFinalized(InvoiceState):
    ce_type = "invoice.finalized"


class InvoicePaid(InvoiceState):
    ce_type = "invoice.paid"


class InvoiceOverdue(InvoiceState):
    ce_type = "invoice.overdue"
    days_overdue: int


class InvoiceCancelled(InvoiceState):
    ce_type = "invoice.cancelled"


class InvoiceRefunded(InvoiceState):
    """Refunded through a credit note (its own number in the tenant's credit-note series)."""

    ce_type = "invoice.refunded"
    credit_note_number: str
    refund_id: str | None
    reason: str


class PaymentEvent(InvoiceEvent):
    customer_id: UUID
    amount: int
    currency: str
    attempt: int
    payment_intent_id: str | None


class PaymentSucceeded(PaymentEvent):
    ce_type = "payment.succeeded"


class PaymentFailed(PaymentEvent):
    ce_type = "payment.failed"
    error_code: str
    error_message: str


class PaymentSessionCreated(InvoiceEvent):
    ce_type = "payment.session_created"
    customer_id: UUID
    session_id: str
    checkout_url: str
    expires_at: datetime | None


BILLING_PAYLOADS: tuple[type[EventPayload], ...] = (
    TenantCreated,
    OperatorCreated,
    OperatorUpdated,
    OperatorDeleted,
    AccountRegistered,
    AccountUpdated,
    AccountPasswordChanged,
    AccountSuspended,
    AccountReactivated,
    CustomerCreated,
    CustomerUpdated,
    CustomerPaymentMethodAdded,
    CustomerPaymentMethodRemoved,
    ProductCreated,
    ProductUpdated,
    ProductRetired,
    CouponCreated,
    CouponRedeemed,
    OrderPlaced,
    OrderPaid,
    OrderProvisioning,
    OrderCompleted,
    OrderFailed,
    SubscriptionStarted,
    SubscriptionRenewed,
    SubscriptionCancelScheduled,
    SubscriptionCancelled,
    SubscriptionPlanChanged,
    SubscriptionSuspended,
    SubscriptionReactivated,
    CloudPodRequested,
    CloudPodRenamed,
    InvoiceCreated,
    InvoiceFinalized,
    InvoicePaid,
    InvoiceOverdue,
    InvoiceCancelled,
    InvoiceRefunded,
    PaymentSucceeded,
    PaymentFailed,
    PaymentSessionCreated,
)
"""Every payload billing publishes, by the CloudEvents type it travels under."""
