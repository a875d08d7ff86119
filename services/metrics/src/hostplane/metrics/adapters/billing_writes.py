"""How billing's changes and the audit log are written, inside the caller's transaction."""

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from psycopg import Cursor, sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hostplane.messaging.leadership import lock_key
from hostplane.metrics.domain.billing_changes import (
    AccountSaved,
    Audited,
    AuditEntry,
    CheckoutOpened,
    CloudPodSaved,
    CouponSaved,
    CreditNoteIssued,
    CustomerSaved,
    InstanceAudited,
    InstanceOwned,
    InvoiceSaved,
    JobAudited,
    OperatorSaved,
    OrderSaved,
    ProductSaved,
    SubscriptionSaved,
    TenantSaved,
)
from hostplane.metrics.domain.changes import Change, JobStarted

# Writers take the change (of the type they are listed under).
Write = Callable[[Cursor[Any], Any], None]


@cache
def _upsert_of(table: str, key: str, columns: tuple[str, ...]) -> bytes:
    """The statement saving a row's state as of `version`: inserted, or updated where the
    row's version is older (an older event arriving late changes nothing). The row keeps its
    first event's `created_at`. Composed once per table, as text."""
    names = (key, "version", *columns, "created_at", "updated_at")
    updated = ("version", *columns, "updated_at")
    return (
        sql.SQL(
            "INSERT INTO {table} AS saved ({names}) VALUES ({values}) "
            "ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE saved.version < EXCLUDED.version"
        )
        .format(
            table=sql.Identifier(table),
            names=sql.SQL(", ").join(map(sql.Identifier, names)),
            values=sql.SQL(", ").join(map(sql.Placeholder, names)),
            key=sql.Identifier(key),
            sets=sql.SQL(", ").join(
                sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(name)) for name in updated
            ),
        )
        .as_bytes()
    )


def _save(
    cur: Cursor[Any],
    table: str,
    version: int,
    at: datetime,
    row: dict[str, Any],
    key: str = "id",
) -> None:
    """Save `row` (its `key` and columns) as of `version`, an event of `at`."""
    columns = tuple(name for name in row if name != key)
    cur.execute(
        _upsert_of(table, key, columns),
        {**row, "version": version, "created_at": at, "updated_at": at},
    )


def _json(model: BaseModel | None) -> Jsonb | None:
    """A contract model as a JSON column."""
    return None if model is None else Jsonb(model.model_dump(mode="json"))


def _json_list(models: Sequence[BaseModel]) -> Jsonb:
    return Jsonb([model.model_dump(mode="json") for model in models])


def _tenant(cur: Cursor[Any], change: TenantSaved) -> None:
    t = change.tenant
    _save(
        cur,
        "tenants",
        change.version,
        t.occurred_at,
        {"id": t.tenant_id, "name": t.name, "status": t.status},
    )


def _operator(cur: Cursor[Any], change: OperatorSaved) -> None:
    o = change.operator
    row = {
        "id": o.user_id,
        "tenant_id": o.tenant_id,
        "name": o.name,
        "email": o.email,
        "roles": list(o.roles),
        "status": o.status,
        "password": _json(o.password),
    }
    _save(cur, "operators", change.version, o.occurred_at, row)


def _account(cur: Cursor[Any], change: AccountSaved) -> None:
    a = change.account
    row = {
        "id": a.account_id,
        "tenant_id": a.tenant_id,
        "customer_id": a.customer_id,
        "email": a.email,
        "name": a.name,
        "role": a.role,
        "status": a.status,
        "password": _json(a.password),
        "password_changed_at": a.password_changed_at,
    }
    _save(cur, "accounts", change.version, a.occurred_at, row)


def _customer(cur: Cursor[Any], change: CustomerSaved) -> None:
    c = change.customer
    row = {
        "id": c.customer_id,
        "tenant_id": c.tenant_id,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "address": _json(c.address),
        "timezone": c.timezone,
        "status": c.status,
        "stripe_customer_id": c.stripe_customer_id,
        "default_payment_method": c.default_payment_method,
        "payment_methods": _json_list(c.payment_methods),
    }
    _save(cur, "customers", change.version, c.occurred_at, row)


def _product(cur: Cursor[Any], change: ProductSaved) -> None:
    p = change.product
    row = {
        "id": p.product_id,
        "tenant_id": p.tenant_id,
        "name": p.name,
        "product_type": p.product_type,
        "sku": p.sku,
        "prices": _json_list(p.prices),
        "specs": _json(p.specs),
        "status": p.status,
        "placement": _json(p.placement),
    }
    _save(cur, "products", change.version, p.occurred_at, row)


def _coupon(cur: Cursor[Any], change: CouponSaved) -> None:
    c = change.coupon
    row = {
        "id": c.coupon_id,
        "tenant_id": c.tenant_id,
        "code": c.code,
        "kind": c.kind,
        "value": c.value,
        "currency": c.currency,
        "expires_at": c.expires_at,
        "max_uses": c.max_uses,
        "uses": c.uses,
    }
    _save(cur, "coupons", change.version, c.occurred_at, row)


def _order(cur: Cursor[Any], change: OrderSaved) -> None:
    o = change.order
    row = {
        "id": o.order_id,
        "tenant_id": o.tenant_id,
        "customer_id": o.customer_id,
        "status": o.status,
        "items": _json_list(o.items),
        "coupon_code": o.coupon_code,
        "invoice_id": o.invoice_id,
        "total": o.total,
        "currency": o.currency,
        "subscription_ids": o.subscription_ids,
        "instance_ids": o.instance_ids,
        "error_code": o.error_code,
        "error_message": o.error_message,
    }
    _save(cur, "orders", change.version, o.occurred_at, row)


def _subscription(cur: Cursor[Any], change: SubscriptionSaved) -> None:
    s = change.subscription
    row = {
        "id": s.subscription_id,
        "tenant_id": s.tenant_id,
        "customer_id": s.customer_id,
        "product_id": s.product_id,
        "order_id": s.order_id,
        "status": s.status,
        "billing_cycle": s.billing_cycle,
        "starts_at": s.starts_at,
        "period_start": s.period_start,
        "period_end": s.period_end,
        "renews_at": change.renews_at,
        "cancel_at_period_end": s.cancel_at_period_end,
        "cancelled_at": s.cancelled_at,
        "instance_id": s.instance_id,
        "suspension_reason": s.suspension_reason,
    }
    _save(cur, "subscriptions", change.version, s.occurred_at, row)


def _cloudpod(cur: Cursor[Any], change: CloudPodSaved) -> None:
    c = change.cloudpod
    row = {
        "instance_id": c.instance_id,
        "tenant_id": c.tenant_id,
        "customer_id": c.customer_id,
        "subscription_id": c.subscription_id,
        "order_id": c.order_id,
        "product_id": c.product_id,
        "name": c.name,
        "template": c.template,
        "plan": c.plan,
        "region": c.region,
    }
    _save(cur, "cloudpods", change.version, c.occurred_at, row, key="instance_id")


def _invoice(cur: Cursor[Any], change: InvoiceSaved) -> None:
    i = change.invoice
    row = {
        "id": i.invoice_id,
        "tenant_id": i.tenant_id,
        "customer_id": i.customer_id,
        "status": i.status,
        "number": i.number,
        "currency": i.currency,
        "lines": _json_list(i.lines),
        "subtotal": i.subtotal,
        "tax": i.tax,
        "tax_rate_bp": i.tax_rate_bp,
        "tax_country": i.tax_country,
        "total": i.total,
        "amount_paid": i.amount_paid,
        "amount_refunded": i.amount_refunded,
        "order_id": i.order_id,
        "subscription_id": i.subscription_id,
        "period_start": i.period_start,
        "period_end": i.period_end,
        "issued_at": i.issued_at,
        "due_at": i.due_at,
        "paid_at": i.paid_at,
    }
    _save(cur, "invoices", change.version, i.occurred_at, row)


def _credit_note(cur: Cursor[Any], change: CreditNoteIssued) -> None:
    cur.execute(
        "UPDATE invoices SET credit_note_number = %s WHERE id = %s",
        (change.number, change.invoice_id),
    )


def _checkout(cur: Cursor[Any], change: CheckoutOpened) -> None:
    # Not versioned: a session is no state of the invoice's, and arrives in order behind
    # its invoice's events (one key, one partition); one published again is not applied.
    cur.execute(
        "UPDATE invoices SET checkout_session_id = %s, checkout_url = %s WHERE id = %s",
        (change.session_id, change.url, change.invoice_id),
    )


def _instance_owned(cur: Cursor[Any], change: InstanceOwned) -> None:
    if change.tenant_id is None:
        cur.execute(
            "DELETE FROM audit WHERE instance_id = %s AND tenant_id IS NULL",
            (change.instance_id,),
        )
    else:
        cur.execute(
            "UPDATE audit SET tenant_id = %s WHERE instance_id = %s AND tenant_id IS NULL",
            (change.tenant_id, change.instance_id),
        )


def _entry(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "action": entry.action,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "metadata": Jsonb(entry.metadata),
        "at": entry.at,
    }


def _audited(cur: Cursor[Any], change: Audited) -> None:
    cur.execute(
        """
        INSERT INTO audit (id, tenant_id, actor_id, action, resource_type, resource_id,
            metadata, created_at)
        VALUES (%(id)s, %(tenant)s, %(actor)s, %(action)s, %(resource_type)s,
            %(resource_id)s, %(metadata)s, %(at)s)
        ON CONFLICT (id) DO NOTHING
        """,
        {**_entry(change.entry), "tenant": change.tenant_id, "actor": change.actor_id},
    )


# The line of an instance's event (`%(instance)s` names the instance): the tenant's whose
# CloudPod the instance is. A WHMCS instance's (known, and no tenant's) is not written; one
# of an instance not known yet waits without a tenant (see `InstanceOwned`).
CLOUDPOD_LINE = """
    INSERT INTO audit (id, tenant_id, instance_id, action, resource_type, resource_id,
        metadata, created_at)
    SELECT %(id)s, coalesce(i.tenant_id, c.tenant_id), pod.id, %(action)s,
        %(resource_type)s, %(resource_id)s, %(metadata)s, %(at)s
    FROM (SELECT {instance} AS id) pod
    LEFT JOIN instances i ON i.id = pod.id
    LEFT JOIN cloudpods c ON c.instance_id = pod.id
    WHERE pod.id IS NOT NULL
        AND (i.tenant_id IS NOT NULL OR c.tenant_id IS NOT NULL OR i.id IS NULL)
    ON CONFLICT (id) DO NOTHING
"""
INSTANCE_LINE = CLOUDPOD_LINE.format(instance="%(instance)s::uuid")
# A job's instance is the one its start named (a job without one is no CloudPod's).
JOB_LINE = CLOUDPOD_LINE.format(instance="(SELECT instance_id FROM jobs WHERE id = %(job)s)")


def _instance_audited(cur: Cursor[Any], change: InstanceAudited) -> None:
    cur.execute(INSTANCE_LINE, {**_entry(change.entry), "instance": change.instance_id})


def _job_audited(cur: Cursor[Any], change: JobAudited) -> None:
    cur.execute(JOB_LINE, {**_entry(change.entry), "job": change.job_id})


def audit_locks(cur: Cursor[Any], schema: str, changes: Sequence[Change]) -> list[int]:
    """The advisory locks a batch takes first, in key order, for the instances whose owner or
    audit lines it writes.

    An instance's owner and the lines waiting for it meet under one lock per instance:
    replicas projecting its events and its jobs' events from other partitions take turns, so
    no line starts waiting for an owner written while it was being inserted. Taken in one
    order before any row, the locks cannot deadlock two batches.
    """
    instances = {
        c.instance_id
        for c in changes
        if isinstance(c, InstanceOwned | InstanceAudited | JobStarted) and c.instance_id
    }
    jobs = [c.job_id for c in changes if isinstance(c, JobAudited)]
    if jobs:
        cur.execute(
            "SELECT instance_id FROM jobs WHERE id = ANY(%s) AND instance_id IS NOT NULL",
            (jobs,),
        )
        instances.update(row[0] for row in cur.fetchall())
    return sorted({lock_key(f"audit:{schema}:{instance}") for instance in instances})


BILLING_WRITES: dict[type[Change], Write] = {
    TenantSaved: _tenant,
    OperatorSaved: _operator,
    AccountSaved: _account,
    CustomerSaved: _customer,
    ProductSaved: _product,
    CouponSaved: _coupon,
    OrderSaved: _order,
    SubscriptionSaved: _subscription,
    CloudPodSaved: _cloudpod,
    InvoiceSaved: _invoice,
    CreditNoteIssued: _credit_note,
    CheckoutOpened: _checkout,
    InstanceOwned: _instance_owned,
    Audited: _audited,
    InstanceAudited: _instance_audited,
    JobAudited: _job_audited,
}
