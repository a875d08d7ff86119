"""The tenants' audit log: one line per event of a tenant's aggregate, as a table by type.

Billing's events name their tenant and actor. An instance's or a job's events name neither:
they are a tenant's when the instance is one of its CloudPods, which the view store looks up
when it writes them (`InstanceAudited`, `JobAudited`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from hostplane.contracts import billing_events as b
from hostplane.contracts import events as e
from hostplane.contracts.payload import EventPayload
from hostplane.metrics.domain.billing_changes import (
    Audited,
    AuditEntry,
    InstanceAudited,
    JobAudited,
)
from hostplane.metrics.domain.changes import Change

# What a line's metadata may hold, from the payloads that have it: what a reader of the log
# wants at a glance, never a secret (an operator's password, a checkout link, a job's result).
METADATA_FIELDS = frozenset(
    {
        "name",
        "email",
        "roles",
        "role",
        "status",
        "sku",
        "product_type",
        "code",
        "kind",
        "value",
        "uses",
        "customer_id",
        "subscription_id",
        "product_id",
        "previous_product_id",
        "order_id",
        "invoice_id",
        "instance_id",
        "number",
        "total",
        "amount",
        "amount_paid",
        "amount_refunded",
        "currency",
        "attempt",
        "payment_intent_id",
        "credit_note_number",
        "reason",
        "days_overdue",
        "session_id",
        "billing_cycle",
        "period_end",
        "cancel_at_period_end",
        "suspension_reason",
        "template",
        "plan",
        "region",
        "command",
        "operation",
        "fqdn",
        "ip_address",
        "error_code",
        "error_message",
    }
)


@dataclass(frozen=True)
class Resource:
    """What an event is about (a `kind`, named by the payload's `id_field`) and whose log it
    goes in.

    `by_topic`: the line's id is the CloudEvents id behind its topic. Billing's CloudPod and
    provisioning's instance are one id (`cloudpod_instance_id`), so their events' CloudEvents
    ids meet: `cloudpod.requested` and `vps.created` are both `<instance>:1`.
    """

    kind: str
    id_field: str
    owner: Callable[[Any, AuditEntry], Change]
    by_topic: bool = False


def _tenant(ev: b.BillingEvent | b.InvoiceEvent, entry: AuditEntry) -> Change:
    return Audited(entry, ev.tenant_id, ev.actor_id)


def _instance(ev: e.VpsEvent, entry: AuditEntry) -> Change:
    return InstanceAudited(entry, ev.instance_id)


def _job(ev: e.JobEvent, entry: AuditEntry) -> Change:
    return JobAudited(entry, ev.job_id)


# Keyed by the payloads' families: an event is audited under its nearest listed class.
AUDITED: dict[type[EventPayload], Resource] = {
    b.TenantCreated: Resource("tenant", "tenant_id", _tenant),
    b.OperatorEvent: Resource("user", "user_id", _tenant),
    b.AccountEvent: Resource("account", "account_id", _tenant),
    b.CustomerEvent: Resource("customer", "customer_id", _tenant),
    b.ProductEvent: Resource("product", "product_id", _tenant),
    b.CouponEvent: Resource("coupon", "coupon_id", _tenant),
    b.OrderEvent: Resource("order", "order_id", _tenant),
    b.SubscriptionEvent: Resource("subscription", "subscription_id", _tenant),
    b.CloudPodRequested: Resource("cloudpod", "instance_id", _tenant),
    # Payments and checkout sessions are the invoice's: its log shows them in turn.
    b.InvoiceEvent: Resource("invoice", "invoice_id", _tenant),
    # Other services' events: the tenant's when about one of its CloudPods.
    e.VpsEvent: Resource("cloudpod", "instance_id", _instance, by_topic=True),
    e.JobEvent: Resource("job", "job_id", _job, by_topic=True),
}


@cache
def _resource_of(event_type: type[EventPayload]) -> Resource | None:
    return next((AUDITED[t] for t in event_type.__mro__ if t in AUDITED), None)


def audit_line(event: EventPayload, version: int, subject: str | None) -> Change | None:
    """The audit line of an event, if its kind is audited; `subject` is the aggregate id it
    was published under (its CloudEvents id is `subject:version`). Billing's events are
    named by their CloudEvents id, others' by their topic's and it (`vps.events/<id>`)."""
    resource = _resource_of(type(event))
    if resource is None:
        return None
    fields = event.model_dump(mode="json", include={*METADATA_FIELDS, resource.id_field})
    resource_id = str(fields.pop(resource.id_field))
    event_id = f"{subject or resource_id}:{version}"
    entry = AuditEntry(
        id=f"{event.topic.name}/{event_id}" if resource.by_topic else event_id,
        action=event.ce_type,
        resource_type=resource.kind,
        resource_id=resource_id,
        at=event.occurred_at,
        metadata=fields,
    )
    return resource.owner(event, entry)
