"""The events a webhook endpoint can subscribe to, the body they travel in, and which of
Hostplane's own events become which.

The names are seed 003's. Hostplane's events become them by this rule:

- `vps.created` is the instance's own `vps.created`: it exists and is being provisioned;
- `vps.started` is every change that leaves the instance running: it became `vps.active`
  (provisioning finished), was `vps.unsuspended`, started by its customer (`vps.started`),
  `vps.rebooted`, `vps.rebuilt` or `vps.restored` (its disk written back from a backup);
- `vps.stopped` is every change that leaves it off: its customer stopped it (`vps.stopped`)
  or it was `vps.suspended`;
- `vps.deleted` is the instance's own `vps.deleted` (terminated, its server removed);
- a VPS's `status` is the one seed 003's API shows once the change has happened (`creating`,
  `running`, `stopped`, `suspended`), and `deleted` for a deleted one;
- `invoice.created`, `invoice.paid`, `invoice.overdue`, `payment.succeeded` and
  `payment.failed` are billing's events of the same names;
- `user.registered` is the `user.registered` of `users.events` (a WHMCS client's first
  sign-on) or billing's `account.registered` (a CloudVPS customer signing up);
  `user.suspended` is billing's `account.suspended`.

Every other event stays inside Hostplane: requests and queued, skipped or refused operations
(the change has not happened), failures of provisioning (the instance never ran), resizes,
configuration, DNS and jobs. A VPS's backup becomes `vps.backup.created` once its provider
holds it (`vps.backup.created` of vps.events) and `vps.backup.failed` when the provider could
not take it; its requests and deletions stay inside.

A webhook's ordering key is the instance's, invoice's or user's id, so an endpoint receives
what happens to one of them in the order it happened.

`user_id` is seed 003's user: a WHMCS client's dashboard user, or the CloudVPS account of the
billing customer an event names (`vps.created` of a VPS billing ordered, `invoice.*`,
`payment.*`). Billing's events name only the customer, whose id cannot be turned back into
its account's, so such a webhook leaves `user_id` null and says which customer it is about
(`OutgoingWebhook.customer_id`). Billing's customer and account events tell each customer and
its account, or that it has none (`customer_of`): a webhook about a customer told of has its
account written in with `with_user` (or keeps null) at once; one about a customer not told of
yet waits for it before the first attempt.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import singledispatch
from typing import Annotated
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    field_validator,
)

from hostplane.contracts.billing_events import (
    AccountEvent,
    AccountRegistered,
    AccountSuspended,
    CustomerEvent,
    InvoiceCreated,
    InvoiceOverdue,
    InvoicePaid,
    InvoiceState,
    PaymentEvent,
    PaymentFailed,
    PaymentSucceeded,
)
from hostplane.contracts.cloudvps.vps import VpsStatus
from hostplane.contracts.cloudvps.webhooks import WebhookEvent
from hostplane.contracts.events import (
    BackupCreated,
    BackupFailed,
    InstanceActivated,
    InstanceCreated,
    InstanceRebooted,
    InstanceRebuilt,
    InstanceRestored,
    InstanceStarted,
    InstanceStopped,
    InstanceSuspended,
    InstanceTerminated,
    InstanceUnsuspended,
    UserEvent,
    UserRegistered,
    VpsEvent,
)
from hostplane.contracts.identity import user_id_for
from hostplane.contracts.money import json_number, to_major
from hostplane.contracts.payload import EventPayload
from hostplane.contracts.vps import iso

Data = dict[str, JsonValue]


class WebhookPayload(BaseModel):
    """The body of every delivery (seed 003): which event, when it happened, what it is about."""

    model_config = ConfigDict(frozen=True)

    event: WebhookEvent
    timestamp: Annotated[AwareDatetime, PlainSerializer(iso, return_type=str, when_used="json")]
    data: Data

    def body(self) -> bytes:
        """The bytes sent, and signed, as the delivery's body."""
        return self.model_dump_json().encode()


def with_user(body: bytes, user_id: UUID) -> bytes:
    """A delivery's body with `user_id` written into its data: the bytes a body built with
    the user known would have been."""
    payload = WebhookPayload.model_validate_json(body)
    data = payload.data | {"user_id": str(user_id)}
    return payload.model_copy(update={"data": data}).body()


ANY_EVENT = "*"


class EventFilter(BaseModel):
    """The events an endpoint subscribes to: names, `*` for all, or a prefix such as `vps.*`.

    A pattern that matches no event is refused, so a misspelt subscription is noticed when it
    is made rather than by a receiver that never hears anything.
    """

    model_config = ConfigDict(frozen=True)

    patterns: tuple[str, ...] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _each_matches_an_event(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [p for p in patterns if not any(_matches(p, event) for event in WebhookEvent)]
        if unknown:
            raise ValueError(f"no webhook event matches {', '.join(unknown)}")
        return patterns

    def matches(self, event: WebhookEvent) -> bool:
        """Whether the endpoint receives this event."""
        return any(_matches(pattern, event) for pattern in self.patterns)


def _matches(pattern: str, event: WebhookEvent) -> bool:
    if pattern == ANY_EVENT:
        return True
    if pattern.endswith(".*"):
        return event.startswith(pattern[:-1])
    return pattern == event


@dataclass(frozen=True)
class OutgoingWebhook:
    """A Hostplane event as endpoints receive it, with the key its deliveries are ordered by
    and the billing customer whose account is its `user_id`, still to be written in."""

    payload: WebhookPayload
    ordering_key: str
    customer_id: UUID | None = None


@dataclass(frozen=True)
class BillingCustomer:
    """A billing customer and the CloudVPS account it pays for (None: it has none)."""

    customer_id: UUID
    account_id: UUID | None


@singledispatch
def customer_of(source: EventPayload) -> BillingCustomer | None:
    """The billing customer an event of billing's tells of, or None. Every customer and
    account event names it, so one told of before it could be learnt is learnt at its next."""
    return None


@customer_of.register
def _customer_of_account(source: AccountEvent) -> BillingCustomer | None:
    return BillingCustomer(customer_id=source.customer_id, account_id=source.account_id)


@customer_of.register
def _customer_itself(source: CustomerEvent) -> BillingCustomer | None:
    return BillingCustomer(customer_id=source.customer_id, account_id=source.account_id)


SOURCES: dict[type[EventPayload], WebhookEvent] = {
    InstanceCreated: WebhookEvent.VPS_CREATED,
    InstanceActivated: WebhookEvent.VPS_STARTED,
    InstanceUnsuspended: WebhookEvent.VPS_STARTED,
    InstanceRebooted: WebhookEvent.VPS_STARTED,
    InstanceStarted: WebhookEvent.VPS_STARTED,
    InstanceRebuilt: WebhookEvent.VPS_STARTED,
    InstanceRestored: WebhookEvent.VPS_STARTED,
    InstanceSuspended: WebhookEvent.VPS_STOPPED,
    InstanceStopped: WebhookEvent.VPS_STOPPED,
    InstanceTerminated: WebhookEvent.VPS_DELETED,
    BackupCreated: WebhookEvent.VPS_BACKUP_CREATED,
    BackupFailed: WebhookEvent.VPS_BACKUP_FAILED,
    InvoiceCreated: WebhookEvent.INVOICE_CREATED,
    InvoicePaid: WebhookEvent.INVOICE_PAID,
    InvoiceOverdue: WebhookEvent.INVOICE_OVERDUE,
    PaymentSucceeded: WebhookEvent.PAYMENT_SUCCEEDED,
    PaymentFailed: WebhookEvent.PAYMENT_FAILED,
    UserRegistered: WebhookEvent.USER_REGISTERED,
    AccountRegistered: WebhookEvent.USER_REGISTERED,
    AccountSuspended: WebhookEvent.USER_SUSPENDED,
}
"""Which webhook event each of Hostplane's events becomes; those not here become none."""

# The VPS's status once the event has happened, in the words of seed 003's API (`VpsStatus`,
# as GET /api/v1/vps/{id} shows it then); a deleted VPS, which the API no longer shows, is
# "deleted".
DELETED = "deleted"
VPS_STATUS: dict[WebhookEvent, str] = {
    WebhookEvent.VPS_CREATED: VpsStatus.CREATING,
    WebhookEvent.VPS_STARTED: VpsStatus.RUNNING,
    WebhookEvent.VPS_STOPPED: VpsStatus.STOPPED,
    WebhookEvent.VPS_DELETED: DELETED,
}
# A suspended VPS is off too, and shown suspended rather than stopped.
SOURCE_STATUS: dict[type[EventPayload], str] = {InstanceSuspended: VpsStatus.SUSPENDED}


def webhook_for(source: EventPayload) -> OutgoingWebhook | None:
    """The webhook a Hostplane event becomes, or None for one that endpoints do not hear of."""
    event = SOURCES.get(type(source))
    if event is None:
        return None
    key, data = _describe(source, event)
    payload = WebhookPayload(event=event, timestamp=source.occurred_at, data=data)
    return OutgoingWebhook(payload=payload, ordering_key=key, customer_id=_customer(source))


@singledispatch
def _customer(source: EventPayload) -> UUID | None:
    """The billing customer whose account is the webhook's `user_id`; None: no such customer."""
    return None


@_customer.register
def _customer_of_vps(source: InstanceCreated) -> UUID | None:
    return None if source.whmcs_client_id else source.customer_id


@_customer.register
def _customer_of_invoice(source: InvoiceState) -> UUID | None:
    return source.customer_id


@_customer.register
def _customer_of_payment(source: PaymentEvent) -> UUID | None:
    return source.customer_id


@singledispatch
def _describe(source: EventPayload, event: WebhookEvent) -> tuple[str, Data]:
    raise TypeError(f"{type(source).__name__} has no webhook data")


@_describe.register
def _vps(source: VpsEvent, event: WebhookEvent) -> tuple[str, Data]:
    return str(source.instance_id), {
        "vps_id": str(source.instance_id),
        "status": str(SOURCE_STATUS.get(type(source), VPS_STATUS[event])),
    }


@_describe.register
def _vps_created(source: InstanceCreated, event: WebhookEvent) -> tuple[str, Data]:
    key, data = _vps(source, event)
    # A WHMCS order's owner is the client's dashboard user; a VPS billing ordered is its
    # customer's, whose account is written in as the user (`_customer`).
    user_id = user_id_for(source.whmcs_client_id) if source.whmcs_client_id else None
    return key, data | {
        "user_id": _text(user_id),
        "customer_id": _text(source.customer_id),
        "tenant_id": _text(source.tenant_id),
        "subscription_id": _text(source.subscription_id),
        "plan": source.plan,
        "region": source.region,
        "location": source.location,
        "server_type": source.server_type,
        "provider": source.provider,
        "subdomain": source.subdomain,
    }


@_describe.register
def _vps_deleted(source: InstanceTerminated, event: WebhookEvent) -> tuple[str, Data]:
    key, data = _vps(source, event)
    return key, data | {"data_deleted": source.data_deleted}


GB = 10**9  # a backup's size is told in GB, as the API lists it


@_describe.register
def _backup_created(source: BackupCreated, event: WebhookEvent) -> tuple[str, Data]:
    return str(source.instance_id), {
        "vps_id": str(source.instance_id),
        "backup_id": str(source.backup_id),
        "name": source.name,
        "status": "completed",
        "size": round(source.size_bytes / GB, 2),
        "size_unit": "GB",
        "created_at": iso(source.created_at),
    }


@_describe.register
def _backup_failed(source: BackupFailed, event: WebhookEvent) -> tuple[str, Data]:
    return str(source.instance_id), {
        "vps_id": str(source.instance_id),
        "backup_id": str(source.backup_id),
        "name": source.name,
        "status": "failed",
        "error_code": source.error_code,
        "error_message": source.error_message,
    }


@_describe.register
def _invoice(source: InvoiceState, event: WebhookEvent) -> tuple[str, Data]:
    data: Data = {
        "invoice_id": str(source.invoice_id),
        "invoice_number": source.number,
        "user_id": None,  # the customer's account, written in once known
        "customer_id": str(source.customer_id),
        "tenant_id": str(source.tenant_id),
        "status": source.status.value,
        "amount": _amount(source.total, source.currency),
        "amount_paid": _amount(source.amount_paid, source.currency),
        "currency": source.currency,
        "due_date": _moment(source.due_at),
        "paid_date": _moment(source.paid_at),
        "order_id": _text(source.order_id),
        "subscription_id": _text(source.subscription_id),
    }
    return str(source.invoice_id), data


@_describe.register
def _invoice_overdue(source: InvoiceOverdue, event: WebhookEvent) -> tuple[str, Data]:
    key, data = _invoice(source, event)
    return key, data | {"days_overdue": source.days_overdue}


@_describe.register
def _payment(source: PaymentEvent, event: WebhookEvent) -> tuple[str, Data]:
    data: Data = {
        "invoice_id": str(source.invoice_id),
        "user_id": None,  # the customer's account, written in once known
        "customer_id": str(source.customer_id),
        "tenant_id": str(source.tenant_id),
        "amount": _amount(source.amount, source.currency),
        "currency": source.currency,
        "attempt": source.attempt,
        "payment_intent_id": source.payment_intent_id,
    }
    return str(source.invoice_id), data


@_describe.register
def _payment_failed(source: PaymentFailed, event: WebhookEvent) -> tuple[str, Data]:
    key, data = _payment(source, event)
    return key, data | {"error_code": source.error_code, "error_message": source.error_message}


@_describe.register
def _user(source: UserEvent, event: WebhookEvent) -> tuple[str, Data]:
    return str(source.user_id), {"user_id": str(source.user_id), "email": source.email}


@_describe.register
def _account(source: AccountEvent, event: WebhookEvent) -> tuple[str, Data]:
    data: Data = {
        "user_id": str(source.account_id),
        "email": source.email,
        "name": source.name,
        "role": source.role,
        "status": source.status,
        "customer_id": str(source.customer_id),
        "tenant_id": str(source.tenant_id),
    }
    if isinstance(source, AccountSuspended):
        data["reason"] = source.reason
    return str(source.account_id), data


def _amount(minor: int, currency: str) -> int | float:
    """A JSON number in major units, as the seed writes amounts (19.99)."""
    return json_number(to_major(minor, currency))


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def _moment(value: datetime | None) -> str | None:
    return None if value is None else iso(value)
