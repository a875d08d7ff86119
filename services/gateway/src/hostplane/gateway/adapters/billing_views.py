"""Billing's read models in the `views` schema (kept by metrics), as the mPanel reads them.

Every query of a tenant's rows names the tenant: another tenant's row is not found, and its
rows are in no page. Pages are newest first, counted from 1, with the total of their filter.
"""

import asyncio
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from psycopg.rows import BaseRowFactory, class_row, kwargs_row, scalar_row
from pydantic import TypeAdapter

from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.cloudvps.ports import AccountRow
from hostplane.gateway.application.mpanel.readmodels import (
    AuditRow,
    CloudPodRow,
    CouponRow,
    CustomerRow,
    InvoiceRow,
    OperatorRow,
    OrderRow,
    Page,
    ProductRow,
    ProvisioningJobRow,
    SubscriptionRow,
    TenantRow,
)

T = TypeVar("T")


def decoded(row: type[T]) -> BaseRowFactory[T]:
    """Rows of `row` whose JSON columns become the contracts' models (Address, Price, ...),
    validated as pydantic validates the dataclass."""
    adapter = TypeAdapter(row)
    return kwargs_row(lambda **columns: adapter.validate_python(columns))


def columns(row: type[Any], alias: str, **computed: str) -> str:
    """The select list of a row type: its fields as columns of `alias`, but for `computed`
    ones (field name: SQL expression)."""
    return ", ".join(
        f"{computed[f.name]} AS {f.name}" if f.name in computed else f"{alias}.{f.name}"
        for f in fields(row)
    )


class Where:
    """A WHERE clause: the conditions of the filters given, their values as parameters."""

    def __init__(self) -> None:
        self._clauses: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, clause: str, **params: Any) -> "Where":
        """`clause`, unless a value it takes is None (no filter on it)."""
        if all(value is not None for value in params.values()):
            self._clauses.append(clause)
            self.params.update(params)
        return self

    def __str__(self) -> str:
        return f" WHERE {' AND '.join(self._clauses)}" if self._clauses else ""


def of_tenant(alias: str, tenant_id: UUID) -> Where:
    return Where().add(f"{alias}.tenant_id = %(tenant)s", tenant=tenant_id)


def containing(text: str | None) -> str | None:
    """A case-insensitive LIKE pattern for `text` anywhere (its wildcards taken literally)."""
    if text is None:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Listing(Generic[T]):
    """Rows of one kind: how each is made, its select list, its tables, and their order."""

    row: BaseRowFactory[T]
    select: str
    source: str
    order: str


def newest(alias: str, key: str = "id") -> str:
    return f"{alias}.created_at DESC, {alias}.{key} DESC"


TENANTS = Listing(class_row(TenantRow), columns(TenantRow, "t"), "views.tenants t", newest("t"))
OPERATORS = Listing(
    decoded(OperatorRow), columns(OperatorRow, "o"), "views.operators o", newest("o")
)
ACCOUNTS = Listing(decoded(AccountRow), columns(AccountRow, "a"), "views.accounts a", newest("a"))
CUSTOMERS = Listing(
    decoded(CustomerRow), columns(CustomerRow, "c"), "views.customers c", newest("c")
)
PRODUCTS = Listing(decoded(ProductRow), columns(ProductRow, "p"), "views.products p", newest("p"))
COUPONS = Listing(class_row(CouponRow), columns(CouponRow, "k"), "views.coupons k", newest("k"))
ORDERS = Listing(decoded(OrderRow), columns(OrderRow, "o"), "views.orders o", newest("o"))
INVOICES = Listing(decoded(InvoiceRow), columns(InvoiceRow, "i"), "views.invoices i", newest("i"))
SUBSCRIPTIONS = Listing(
    class_row(SubscriptionRow),
    columns(SubscriptionRow, "s", product_type="coalesce(p.product_type, '')"),
    "views.subscriptions s LEFT JOIN views.products p "
    "ON p.id = s.product_id AND p.tenant_id = s.tenant_id",
    newest("s"),
)
# A CloudPod is billing's request until provisioning has its instance, then the instance's
# state; its hostname is the instance's once DNS points at it.
CLOUDPOD_STATUS = "coalesce(i.status, 'pending')"
CLOUDPODS = Listing(
    class_row(CloudPodRow),
    columns(
        CloudPodRow,
        "c",
        id="c.instance_id",
        status=CLOUDPOD_STATUS,
        hostname="i.fqdn",
        ipv4="i.ip_address",
    ),
    "views.cloudpods c LEFT JOIN views.instances i ON i.id = c.instance_id",
    newest("c", key="instance_id"),
)
# Provisioning's jobs on the tenant's CloudPods (a job is known from its start or its end).
JOBS = Listing(
    class_row(ProvisioningJobRow),
    columns(
        ProvisioningJobRow,
        "j",
        tenant_id="c.tenant_id",
        command="coalesce(j.command, '')",
        target_id="j.instance_id",
        created_at="coalesce(j.started_at, j.finished_at)",
        updated_at="coalesce(j.finished_at, j.started_at)",
    ),
    "views.jobs j JOIN views.cloudpods c ON c.instance_id = j.instance_id",
    "coalesce(j.started_at, j.finished_at) DESC, j.id DESC",
)
AUDIT = Listing(class_row(AuditRow), columns(AuditRow, "a"), "views.audit a", newest("a"))


class BillingViews:
    """`BillingReads` on the `views` schema."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _one(self, rows: Listing[T], where: Where) -> T | None:
        query = f"SELECT {rows.select} FROM {rows.source}{where}"  # noqa: S608
        return await self._db.one(rows.row, query, where.params)

    async def _page(self, rows: Listing[T], where: Where, page: int, page_size: int) -> Page[T]:
        """One page of a listing and the total of its filter (read side by side)."""
        window = {"limit": page_size, "offset": (max(page, 1) - 1) * page_size}
        query = (
            f"SELECT {rows.select} FROM {rows.source}{where} "  # noqa: S608
            f"ORDER BY {rows.order} LIMIT %(limit)s OFFSET %(offset)s"
        )
        count = f"SELECT count(*) FROM {rows.source}{where}"  # noqa: S608
        items, total = await asyncio.gather(
            self._db.all(rows.row, query, {**where.params, **window}),
            self._db.one(scalar_row, count, where.params),
        )
        return Page(items, int(total or 0))

    async def operator_by_email(self, email: str) -> OperatorRow | None:
        """The operator signing in with this email (emails are unique across tenants)."""
        where = Where().add("lower(o.email) = lower(%(email)s)", email=email)
        return await self._one(OPERATORS, where)

    async def account(self, tenant_id: UUID, account_id: UUID) -> AccountRow | None:
        where = of_tenant("a", tenant_id).add("a.id = %(id)s", id=account_id)
        return await self._one(ACCOUNTS, where)

    async def account_by_email(self, tenant_id: UUID, email: str) -> AccountRow | None:
        where = of_tenant("a", tenant_id).add("lower(a.email) = lower(%(email)s)", email=email)
        return await self._one(ACCOUNTS, where)

    async def operator(self, tenant_id: UUID, user_id: UUID) -> OperatorRow | None:
        return await self._one(
            OPERATORS, of_tenant("o", tenant_id).add("o.id = %(id)s", id=user_id)
        )

    async def operators(self, tenant_id: UUID, page: int, page_size: int) -> Page[OperatorRow]:
        return await self._page(OPERATORS, of_tenant("o", tenant_id), page, page_size)

    async def tenant(self, tenant_id: UUID) -> TenantRow | None:
        return await self._one(TENANTS, Where().add("t.id = %(id)s", id=tenant_id))

    async def tenants(self, only: UUID | None, page: int, page_size: int) -> Page[TenantRow]:
        """Every tenant, or `only` that one (an operator of another tenant sees its own)."""
        return await self._page(TENANTS, Where().add("t.id = %(only)s", only=only), page, page_size)

    async def customer(self, tenant_id: UUID, customer_id: UUID) -> CustomerRow | None:
        where = of_tenant("c", tenant_id).add("c.id = %(id)s", id=customer_id)
        return await self._one(CUSTOMERS, where)

    async def customers(
        self, tenant_id: UUID, search: str | None, page: int, page_size: int
    ) -> Page[CustomerRow]:
        """`search`: part of a name or email, case-insensitive."""
        where = of_tenant("c", tenant_id).add(
            "(c.name ILIKE %(search)s OR c.email ILIKE %(search)s)", search=containing(search)
        )
        return await self._page(CUSTOMERS, where, page, page_size)

    async def product(self, tenant_id: UUID, product_id: UUID) -> ProductRow | None:
        where = of_tenant("p", tenant_id).add("p.id = %(id)s", id=product_id)
        return await self._one(PRODUCTS, where)

    async def products(
        self,
        tenant_id: UUID,
        product_type: str | None,
        active_only: bool,
        page: int,
        page_size: int,
    ) -> Page[ProductRow]:
        where = (
            of_tenant("p", tenant_id)
            .add("p.product_type = %(type)s", type=product_type)
            .add("p.status = %(status)s", status="active" if active_only else None)
        )
        return await self._page(PRODUCTS, where, page, page_size)

    async def coupons(self, tenant_id: UUID, page: int, page_size: int) -> Page[CouponRow]:
        return await self._page(COUPONS, of_tenant("k", tenant_id), page, page_size)

    async def order(self, tenant_id: UUID, order_id: UUID) -> OrderRow | None:
        return await self._one(ORDERS, of_tenant("o", tenant_id).add("o.id = %(id)s", id=order_id))

    async def invoice(self, tenant_id: UUID, invoice_id: UUID) -> InvoiceRow | None:
        where = of_tenant("i", tenant_id).add("i.id = %(id)s", id=invoice_id)
        return await self._one(INVOICES, where)

    async def invoices(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        page: int,
        page_size: int,
    ) -> Page[InvoiceRow]:
        where = (
            of_tenant("i", tenant_id)
            .add("i.customer_id = %(customer)s", customer=customer_id)
            .add("i.status = %(status)s", status=status)
        )
        return await self._page(INVOICES, where, page, page_size)

    async def subscription(self, tenant_id: UUID, subscription_id: UUID) -> SubscriptionRow | None:
        where = of_tenant("s", tenant_id).add("s.id = %(id)s", id=subscription_id)
        return await self._one(SUBSCRIPTIONS, where)

    async def subscriptions(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        product_type: str | None,
        page: int,
        page_size: int,
    ) -> Page[SubscriptionRow]:
        where = (
            of_tenant("s", tenant_id)
            .add("s.customer_id = %(customer)s", customer=customer_id)
            .add("s.status = %(status)s", status=status)
            .add("p.product_type = %(type)s", type=product_type)
        )
        return await self._page(SUBSCRIPTIONS, where, page, page_size)

    async def cloudpod(self, tenant_id: UUID, instance_id: UUID) -> CloudPodRow | None:
        where = of_tenant("c", tenant_id).add("c.instance_id = %(id)s", id=instance_id)
        return await self._one(CLOUDPODS, where)

    async def cloudpods(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        page: int,
        page_size: int,
    ) -> Page[CloudPodRow]:
        where = (
            of_tenant("c", tenant_id)
            .add("c.customer_id = %(customer)s", customer=customer_id)
            .add(f"{CLOUDPOD_STATUS} = %(status)s", status=status)
        )
        return await self._page(CLOUDPODS, where, page, page_size)

    async def job(self, tenant_id: UUID, job_id: UUID) -> ProvisioningJobRow | None:
        """A job of one of the tenant's CloudPods."""
        return await self._one(JOBS, of_tenant("c", tenant_id).add("j.id = %(id)s", id=job_id))

    async def jobs(
        self,
        tenant_id: UUID,
        status: str | None,
        command: str | None,
        target_id: UUID | None,
        page: int,
        page_size: int,
    ) -> Page[ProvisioningJobRow]:
        where = (
            of_tenant("c", tenant_id)
            .add("j.status = %(status)s", status=status)
            .add("j.command = %(command)s", command=command)
            .add("j.instance_id = %(target)s", target=target_id)
        )
        return await self._page(JOBS, where, page, page_size)

    async def audit(
        self,
        tenant_id: UUID,
        actor_id: UUID | None,
        action: str | None,
        resource_type: str | None,
        resource_id: str | None,
        since: datetime | None,
        page: int,
        page_size: int,
    ) -> Page[AuditRow]:
        """Newest first."""
        where = (
            of_tenant("a", tenant_id)
            .add("a.actor_id = %(actor)s", actor=actor_id)
            .add("a.action = %(action)s", action=action)
            .add("a.resource_type = %(resource_type)s", resource_type=resource_type)
            .add("a.resource_id = %(resource_id)s", resource_id=resource_id)
            .add("a.created_at >= %(since)s", since=since)
        )
        return await self._page(AUDIT, where, page, page_size)
