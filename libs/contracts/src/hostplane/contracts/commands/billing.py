"""Commands on `billing.commands`: imperative, keyed by the target aggregate's id.

Every command names the tenant it acts in and the actor who sent it (a user id; None for
the platform itself: its clock, Stripe). The command id (also its job id) travels as a header.
"""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from hostplane.contracts.billing import (
    Address,
    BillingCycle,
    CloudPodPlacement,
    CouponKind,
    InvoiceStatus,
    OrderLine,
    Price,
    ProductSpecs,
    ProductType,
    Role,
)
from hostplane.contracts.secrets import SealedSecret


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: UUID
    actor_id: UUID | None = None


class CreateTenant(_Command):
    type: Literal["CreateTenant"] = "CreateTenant"
    name: str = Field(min_length=1, max_length=200)
    status: Literal["active", "suspended"] = "active"

    @property
    def subject_id(self) -> UUID:
        return self.tenant_id


class _UserCommand(_Command):
    user_id: UUID

    @property
    def subject_id(self) -> UUID:
        return self.user_id


class CreateUser(_UserCommand):
    """An operator of a tenant; the password travels sealed and is stored hashed."""

    type: Literal["CreateUser"] = "CreateUser"
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    roles: list[Role] = [Role.ADMIN]
    status: Literal["active", "disabled"] = "active"
    password: SealedSecret


class UpdateUser(_UserCommand):
    type: Literal["UpdateUser"] = "UpdateUser"
    name: str | None = None
    email: EmailStr | None = None
    roles: list[Role] | None = None
    status: Literal["active", "disabled"] | None = None
    password: SealedSecret | None = None


class DeleteUser(_UserCommand):
    type: Literal["DeleteUser"] = "DeleteUser"


class RegisterUser(_UserCommand):
    """A WHMCS client signed in through OpenClaw's SSO: its user, made on first sight."""

    type: Literal["RegisterUser"] = "RegisterUser"
    whmcs_client_id: int
    email: EmailStr


class _AccountCommand(_Command):
    account_id: UUID

    @property
    def subject_id(self) -> UUID:
        return self.account_id


class RegisterAccount(_AccountCommand):
    """A CloudVPS customer signs up: the account, and the customer who pays for it.

    The email is the account's sign-in name, unique in the tenant whatever its case; the
    password travels sealed and is stored hashed.
    """

    type: Literal["RegisterAccount"] = "RegisterAccount"
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    password: SealedSecret


class UpdateAccountProfile(_AccountCommand):
    """Change an account's name or email (and its customer's with them)."""

    type: Literal["UpdateAccountProfile"] = "UpdateAccountProfile"
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None


class ChangeAccountPassword(_AccountCommand):
    type: Literal["ChangeAccountPassword"] = "ChangeAccountPassword"
    password: SealedSecret


class SetAccountStatus(_AccountCommand):
    """Suspend an account (it can no longer sign in) or reactivate it."""

    type: Literal["SetAccountStatus"] = "SetAccountStatus"
    status: Literal["active", "suspended"]
    reason: str | None = Field(default=None, max_length=500)


class _CustomerCommand(_Command):
    customer_id: UUID

    @property
    def subject_id(self) -> UUID:
        return self.customer_id


class CreateCustomer(_CustomerCommand):
    type: Literal["CreateCustomer"] = "CreateCustomer"
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str = ""
    address: Address = Address()
    timezone: str = "UTC"


class UpdateCustomer(_CustomerCommand):
    type: Literal["UpdateCustomer"] = "UpdateCustomer"
    name: str | None = None
    email: EmailStr | None = None
    phone: str | None = None
    address: Address | None = None
    timezone: str | None = None
    status: Literal["active", "disabled"] | None = None


class AttachPaymentMethod(_CustomerCommand):
    """Save a Stripe payment method for the customer's renewals (and make it the default)."""

    type: Literal["AttachPaymentMethod"] = "AttachPaymentMethod"
    payment_method_id: str
    set_as_default: bool = True


class DetachPaymentMethod(_CustomerCommand):
    """Remove a saved payment method (detached at Stripe); the default one leaves no default."""

    type: Literal["DetachPaymentMethod"] = "DetachPaymentMethod"
    payment_method_id: str


class _ProductCommand(_Command):
    product_id: UUID

    @property
    def subject_id(self) -> UUID:
        return self.product_id


class CreateProduct(_ProductCommand):
    type: Literal["CreateProduct"] = "CreateProduct"
    name: str = Field(min_length=1, max_length=200)
    product_type: ProductType
    sku: str = Field(min_length=1, max_length=64)
    prices: list[Price] = Field(min_length=1)
    specs: ProductSpecs = ProductSpecs()
    status: Literal["active", "inactive"] = "active"
    placement: CloudPodPlacement | None = None  # required of a cloudpod


class UpdateProduct(_ProductCommand):
    type: Literal["UpdateProduct"] = "UpdateProduct"
    name: str | None = None
    prices: list[Price] | None = None
    specs: ProductSpecs | None = None
    status: Literal["active", "inactive"] | None = None
    placement: CloudPodPlacement | None = None


class RetireProduct(_ProductCommand):
    type: Literal["RetireProduct"] = "RetireProduct"


class CreateCoupon(_Command):
    type: Literal["CreateCoupon"] = "CreateCoupon"
    coupon_id: UUID
    code: str = Field(min_length=1, max_length=64)
    kind: CouponKind
    value: int = Field(gt=0)  # percent (1-100) or minor units
    currency: str | None = None  # of a fixed amount
    expires_at: datetime | None = None
    max_uses: int | None = Field(default=None, ge=1)

    @property
    def subject_id(self) -> UUID:
        return self.coupon_id


class PlaceOrder(_Command):
    """An order and its one invoice; the order id comes from the request's Idempotency-Key."""

    type: Literal["PlaceOrder"] = "PlaceOrder"
    order_id: UUID
    customer_id: UUID
    items: list[OrderLine] = Field(min_length=1, max_length=50)
    coupon_code: str | None = None

    @property
    def subject_id(self) -> UUID:
        return self.order_id


class OrderVps(_Command):
    """A CloudVPS customer orders a VPS: the order and its invoice, paid at once with the
    customer's default payment method (off-session); paid, the VPS is provisioned. The
    order id comes from the request's Idempotency-Key."""

    type: Literal["OrderVps"] = "OrderVps"
    order_id: UUID
    customer_id: UUID
    product_id: UUID
    name: str = Field(min_length=1, max_length=100)
    billing_cycle: BillingCycle = BillingCycle.MONTHLY
    # The provider image the server is built from (None: the catalog's default), and the
    # public keys let in to it.
    operating_system: str | None = Field(default=None, max_length=64)
    ssh_public_keys: list[Annotated[str, Field(max_length=16_384)]] = Field(
        default=[], max_length=20
    )

    @property
    def subject_id(self) -> UUID:
        return self.order_id


class _InvoiceCommand(_Command):
    invoice_id: UUID

    @property
    def subject_id(self) -> UUID:
        return self.invoice_id


class CreatePaymentSession(_InvoiceCommand):
    type: Literal["CreatePaymentSession"] = "CreatePaymentSession"
    success_url: str
    cancel_url: str


class SetInvoiceStatus(_InvoiceCommand):
    """An admin's status change, through the invoice's own rules."""

    type: Literal["SetInvoiceStatus"] = "SetInvoiceStatus"
    status: InvoiceStatus


class RecordStripeEvent(_InvoiceCommand):
    """A verified Stripe webhook about an invoice's payment (its command id: the event id's)."""

    type: Literal["RecordStripeEvent"] = "RecordStripeEvent"
    event_id: str
    event_type: str
    created: int  # Stripe's `created`, unix seconds
    payment_intent_id: str | None = None
    session_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None


class RunDunning(_InvoiceCommand):
    """The clock found an unpaid invoice's next dunning step due."""

    type: Literal["RunDunning"] = "RunDunning"
    step: str


class _SubscriptionCommand(_Command):
    subscription_id: UUID

    @property
    def subject_id(self) -> UUID:
        return self.subscription_id


class CancelSubscription(_SubscriptionCommand):
    type: Literal["CancelSubscription"] = "CancelSubscription"
    at_period_end: bool = True


class ChangeSubscriptionPlan(_SubscriptionCommand):
    type: Literal["ChangeSubscriptionPlan"] = "ChangeSubscriptionPlan"
    product_id: UUID
    billing_cycle: BillingCycle | None = None


class RenewSubscription(_SubscriptionCommand):
    """The clock found the subscription's period ended at `period_end`: invoice the next."""

    type: Literal["RenewSubscription"] = "RenewSubscription"
    period_end: datetime


class RequestCloudPod(_Command):
    """An admin asks for a subscription's CloudPod by hand (normally its payment does)."""

    type: Literal["RequestCloudPod"] = "RequestCloudPod"
    subscription_id: UUID
    name: str = Field(min_length=1, max_length=63)

    @property
    def subject_id(self) -> UUID:
        return self.subscription_id


class SuspendCloudPod(_Command):
    """An admin suspends one CloudPod (a CloudVPS VPS), with the reason they give.

    The suspension is the admin's: neither paying an overdue invoice nor reactivating the
    account lifts it."""

    type: Literal["SuspendCloudPod"] = "SuspendCloudPod"
    instance_id: UUID
    reason: str | None = Field(default=None, max_length=500)

    @property
    def subject_id(self) -> UUID:
        return self.instance_id


class RenameCloudPod(_Command):
    """A customer names their CloudPod (a CloudVPS VPS) anew."""

    type: Literal["RenameCloudPod"] = "RenameCloudPod"
    instance_id: UUID
    name: str = Field(min_length=1, max_length=100)

    @property
    def subject_id(self) -> UUID:
        return self.instance_id


BillingCommand = Annotated[
    CreateTenant
    | CreateUser
    | UpdateUser
    | DeleteUser
    | RegisterUser
    | RegisterAccount
    | UpdateAccountProfile
    | ChangeAccountPassword
    | SetAccountStatus
    | CreateCustomer
    | UpdateCustomer
    | AttachPaymentMethod
    | DetachPaymentMethod
    | CreateProduct
    | UpdateProduct
    | RetireProduct
    | CreateCoupon
    | PlaceOrder
    | OrderVps
    | CreatePaymentSession
    | SetInvoiceStatus
    | RecordStripeEvent
    | RunDunning
    | CancelSubscription
    | ChangeSubscriptionPlan
    | RenewSubscription
    | RequestCloudPod
    | SuspendCloudPod
    | RenameCloudPod,
    Field(discriminator="type"),
]
