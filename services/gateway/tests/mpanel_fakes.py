"""Billing as the mPanel use cases see it, in memory: its read models (`FakeBillingReads`),
and a billing that answers each command it is sent as the real one would in the scenarios
tested (`FakeBilling`: the rows change, the command's job finishes)."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import jwt
from argon2 import PasswordHasher
from pydantic import BaseModel

from hostplane.contracts.billing import (
    Address,
    CloudPodPlacement,
    InvoiceLine,
    Price,
    ProductSpecs,
)
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.commands import billing as bc
from hostplane.contracts.commands import provisioning as pc
from hostplane.contracts.identity import cloudpod_instance_id, operator_id_for
from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import PROVISIONING_COMMANDS, Topic
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
from hostplane.gateway.application.ports import IdempotentClaim
from hostplane.gateway.application.readmodels import JobRow

Row = TypeVar("Row")
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 fake"


def _page(rows: list[Row], page: int, page_size: int) -> Page[Row]:
    start = (page - 1) * page_size
    return Page(rows[start : start + page_size], len(rows))


@dataclass
class BillingRows:
    """The rows of billing's read models, by id."""

    tenants: dict[UUID, TenantRow] = field(default_factory=dict)
    operators: dict[UUID, OperatorRow] = field(default_factory=dict)
    customers: dict[UUID, CustomerRow] = field(default_factory=dict)
    products: dict[UUID, ProductRow] = field(default_factory=dict)
    coupons: dict[UUID, CouponRow] = field(default_factory=dict)
    orders: dict[UUID, OrderRow] = field(default_factory=dict)
    invoices: dict[UUID, InvoiceRow] = field(default_factory=dict)
    subscriptions: dict[UUID, SubscriptionRow] = field(default_factory=dict)
    cloudpods: dict[UUID, CloudPodRow] = field(default_factory=dict)
    jobs: dict[UUID, ProvisioningJobRow] = field(default_factory=dict)
    audit: list[AuditRow] = field(default_factory=list)


@dataclass
class FakeBillingReads:
    """Billing's read models in memory; every query is within one tenant."""

    rows: BillingRows = field(default_factory=BillingRows)

    async def operator_by_email(self, email: str) -> OperatorRow | None:
        return next((o for o in self.rows.operators.values() if o.email == email), None)

    async def operator(self, tenant_id: UUID, user_id: UUID) -> OperatorRow | None:
        return _mine(self.rows.operators.get(user_id), tenant_id)

    async def operators(self, tenant_id: UUID, page: int, page_size: int) -> Page[OperatorRow]:
        return _page(_of(self.rows.operators, tenant_id), page, page_size)

    async def tenant(self, tenant_id: UUID) -> TenantRow | None:
        return self.rows.tenants.get(tenant_id)

    async def tenants(self, only: UUID | None, page: int, page_size: int) -> Page[TenantRow]:
        rows = [t for t in self.rows.tenants.values() if only in (None, t.id)]
        return _page(rows, page, page_size)

    async def customer(self, tenant_id: UUID, customer_id: UUID) -> CustomerRow | None:
        return _mine(self.rows.customers.get(customer_id), tenant_id)

    async def customers(
        self, tenant_id: UUID, search: str | None, page: int, page_size: int
    ) -> Page[CustomerRow]:
        rows = [
            c for c in _of(self.rows.customers, tenant_id) if (search or "") in c.name + c.email
        ]
        return _page(rows, page, page_size)

    async def product(self, tenant_id: UUID, product_id: UUID) -> ProductRow | None:
        return _mine(self.rows.products.get(product_id), tenant_id)

    async def products(
        self,
        tenant_id: UUID,
        product_type: str | None,
        active_only: bool,
        page: int,
        page_size: int,
    ) -> Page[ProductRow]:
        rows = [
            p
            for p in _of(self.rows.products, tenant_id)
            if product_type in (None, p.product_type) and (p.status == "active" or not active_only)
        ]
        return _page(rows, page, page_size)

    async def coupons(self, tenant_id: UUID, page: int, page_size: int) -> Page[CouponRow]:
        return _page(_of(self.rows.coupons, tenant_id), page, page_size)

    async def order(self, tenant_id: UUID, order_id: UUID) -> OrderRow | None:
        return _mine(self.rows.orders.get(order_id), tenant_id)

    async def invoice(self, tenant_id: UUID, invoice_id: UUID) -> InvoiceRow | None:
        return _mine(self.rows.invoices.get(invoice_id), tenant_id)

    async def invoices(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        page: int,
        page_size: int,
    ) -> Page[InvoiceRow]:
        rows = [
            i
            for i in _of(self.rows.invoices, tenant_id)
            if customer_id in (None, i.customer_id) and status in (None, i.status)
        ]
        return _page(rows, page, page_size)

    async def subscription(self, tenant_id: UUID, subscription_id: UUID) -> SubscriptionRow | None:
        return _mine(self.rows.subscriptions.get(subscription_id), tenant_id)

    async def subscriptions(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        product_type: str | None,
        page: int,
        page_size: int,
    ) -> Page[SubscriptionRow]:
        rows = [
            s
            for s in _of(self.rows.subscriptions, tenant_id)
            if customer_id in (None, s.customer_id)
            and status in (None, s.status)
            and product_type in (None, s.product_type)
        ]
        return _page(rows, page, page_size)

    async def cloudpod(self, tenant_id: UUID, instance_id: UUID) -> CloudPodRow | None:
        return _mine(self.rows.cloudpods.get(instance_id), tenant_id)

    async def cloudpods(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        page: int,
        page_size: int,
    ) -> Page[CloudPodRow]:
        rows = [
            c
            for c in _of(self.rows.cloudpods, tenant_id)
            if customer_id in (None, c.customer_id) and status in (None, c.status)
        ]
        return _page(rows, page, page_size)

    async def job(self, tenant_id: UUID, job_id: UUID) -> ProvisioningJobRow | None:
        return _mine(self.rows.jobs.get(job_id), tenant_id)

    async def jobs(
        self,
        tenant_id: UUID,
        status: str | None,
        command: str | None,
        target_id: UUID | None,
        page: int,
        page_size: int,
    ) -> Page[ProvisioningJobRow]:
        rows = [
            j
            for j in _of(self.rows.jobs, tenant_id)
            if status in (None, j.status)
            and command in (None, j.command)
            and target_id in (None, j.target_id)
        ]
        return _page(rows, page, page_size)

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
        rows = [a for a in self.rows.audit if a.tenant_id == tenant_id]
        return _page(rows, page, page_size)


def _mine(row: Row | None, tenant_id: UUID) -> Row | None:
    return row if row is not None and getattr(row, "tenant_id", None) == tenant_id else None


def _of(rows: dict[UUID, Row], tenant_id: UUID) -> list[Row]:
    return [row for row in rows.values() if getattr(row, "tenant_id", None) == tenant_id]


class FakeIdempotencyKeys:
    """Each key's first use, kept for good (tests do not outlive a day)."""

    def __init__(self) -> None:
        self.first: dict[str, IdempotentClaim] = {}

    async def claim(
        self, key: str, body_sha256: str, resource_id: UUID, ttl_s: int
    ) -> IdempotentClaim:
        if key in self.first:
            return replace(self.first[key], fresh=False)
        self.first[key] = IdempotentClaim(resource_id, body_sha256, fresh=True)
        return self.first[key]


def render_pdf(invoice: InvoiceRow, customer: CustomerRow, tenant: TenantRow) -> bytes:
    return PDF + invoice.id.bytes


@dataclass(frozen=True)
class Outcome:
    """How a command's job ends: succeeded unless it carries an error code."""

    error_code: str | None = None
    error_message: str | None = None
    session_id: str | None = None
    checkout_url: str | None = None

    def job(self, job_id: UUID) -> JobRow:
        status = "failed" if self.error_code else "succeeded"
        return JobRow(
            job_id,
            status,
            self.error_code,
            self.error_message,
            NOW,
            None,
            None,
            False,
            session_id=self.session_id,
            checkout_url=self.checkout_url,
        )


SUCCEEDED = Outcome()


@dataclass
class FakeBilling:
    """Answers the commands it is sent: the rows change and the job finishes, as billing
    (and provisioning, for a CloudPod's lifecycle) would in the scenarios tested; a command
    in `refusals` fails its job with that code and message instead."""

    reads: FakeBillingReads
    jobs: dict[UUID, JobRow]  # the instance read model's jobs, which the gateway waits on
    refusals: dict[str, tuple[str, str]] = field(default_factory=dict)

    def react(self, topic: Topic, command: BaseModel, job_id: UUID) -> None:
        name = type(command).__name__
        refused = self.refusals.get(name)
        handler = HANDLERS.get(type(command))
        if refused:
            outcome = Outcome(*refused)
        else:
            outcome = handler(self.reads.rows, command) if handler else SUCCEEDED
        job = self.jobs[job_id] = outcome.job(job_id)
        pod = self.reads.rows.cloudpods.get(getattr(command, "instance_id", job_id))
        if topic == PROVISIONING_COMMANDS and pod is not None:
            self.reads.rows.jobs[job_id] = ProvisioningJobRow(
                job_id,
                pod.tenant_id,
                name,
                job.status,
                pod.id,
                job.error_code,
                job.error_message,
                NOW,
                NOW,
            )


def _operator_created(rows: BillingRows, c: bc.CreateUser) -> Outcome:
    if c.tenant_id not in rows.tenants:
        return Outcome("NOT_FOUND", f"tenant {c.tenant_id} does not exist")
    rows.operators[c.user_id] = OperatorRow(
        c.user_id, c.tenant_id, c.name, str(c.email), list(c.roles), c.status, None, NOW
    )
    return SUCCEEDED


def _customer_created(rows: BillingRows, c: bc.CreateCustomer) -> Outcome:
    rows.customers[c.customer_id] = CustomerRow(
        c.customer_id,
        c.tenant_id,
        c.name,
        str(c.email),
        c.phone,
        c.address,
        c.timezone,
        "active",
        None,
        None,
        NOW,
    )
    return SUCCEEDED


def _product_created(rows: BillingRows, c: bc.CreateProduct) -> Outcome:
    rows.products[c.product_id] = ProductRow(
        c.product_id,
        c.tenant_id,
        c.name,
        c.product_type,
        c.sku,
        c.prices,
        c.specs,
        c.status,
        c.placement,
        NOW,
    )
    return SUCCEEDED


def _coupon_created(rows: BillingRows, c: bc.CreateCoupon) -> Outcome:
    rows.coupons[c.coupon_id] = CouponRow(
        c.coupon_id,
        c.tenant_id,
        c.code,
        c.kind,
        c.value,
        c.currency,
        c.expires_at,
        c.max_uses,
        0,
        NOW,
    )
    return SUCCEEDED


def _order_placed(rows: BillingRows, c: bc.PlaceOrder) -> Outcome:
    lines = []
    for item in c.items:
        product = rows.products[UUID(item.product_id)]
        price = next(p for p in product.prices if p.cycle == item.billing_cycle)
        lines.append(
            InvoiceLine(
                description=f"{product.name} - {price.cycle}",
                quantity=item.quantity,
                unit_amount=price.amount,
                amount=price.amount * item.quantity,
            )
        )
    currency = rows.products[UUID(c.items[0].product_id)].prices[0].currency
    total = sum(line.amount for line in lines)
    invoice_id = uuid4()
    rows.invoices[invoice_id] = an_invoice(
        c.tenant_id,
        c.customer_id,
        invoice_id=invoice_id,
        order_id=c.order_id,
        lines=lines,
        subtotal=total,
        total=total,
        currency=currency,
    )
    rows.orders[c.order_id] = OrderRow(
        c.order_id,
        c.tenant_id,
        c.customer_id,
        "pending",
        c.items,
        c.coupon_code,
        invoice_id,
        total,
        currency,
        [],
        [],
        None,
        None,
        NOW,
        NOW,
    )
    return SUCCEEDED


# An invoice's moves by hand, as billing's invoice allows them.
MOVES = {("unpaid", "paid"), ("unpaid", "cancelled"), ("paid", "refunded")}


def _invoice_status_set(rows: BillingRows, c: bc.SetInvoiceStatus) -> Outcome:
    invoice = rows.invoices[c.invoice_id]
    if (invoice.status, c.status) not in MOVES:
        return Outcome("INVALID_STATE", f"A {invoice.status} invoice cannot become {c.status}")
    rows.invoices[c.invoice_id] = replace(invoice, status=c.status)
    return SUCCEEDED


def _session_created(rows: BillingRows, c: bc.CreatePaymentSession) -> Outcome:
    invoice = rows.invoices[c.invoice_id]
    if invoice.status != "unpaid":
        return Outcome("INVALID_STATE", f"The invoice is {invoice.status}")
    return Outcome(session_id="cs_test_1", checkout_url="https://checkout.example/cs_test_1")


def _cloudpod_requested(rows: BillingRows, c: bc.RequestCloudPod) -> Outcome:
    subscription = rows.subscriptions[c.subscription_id]
    instance_id = cloudpod_instance_id(c.subscription_id)
    rows.cloudpods[instance_id] = a_cloudpod(
        c.tenant_id,
        subscription.customer_id,
        c.subscription_id,
        status="provisioning",
        name=c.name,
    )
    return SUCCEEDED


def _lifecycle(status: str) -> Callable[[BillingRows, Any], Outcome]:
    def changed(rows: BillingRows, c: pc.SuspendInstance) -> Outcome:
        pod = rows.cloudpods.get(c.instance_id)
        if pod is None or pod.status == "terminated":
            return Outcome("INVALID_STATE", "The instance is terminated")
        rows.cloudpods[c.instance_id] = replace(pod, status=status)
        return SUCCEEDED

    return changed


HANDLERS: dict[type[BaseModel], Callable[[BillingRows, Any], Outcome]] = {
    bc.CreateUser: _operator_created,
    bc.CreateCustomer: _customer_created,
    bc.CreateProduct: _product_created,
    bc.CreateCoupon: _coupon_created,
    bc.PlaceOrder: _order_placed,
    bc.SetInvoiceStatus: _invoice_status_set,
    bc.CreatePaymentSession: _session_created,
    bc.RequestCloudPod: _cloudpod_requested,
    pc.SuspendInstance: _lifecycle("suspended"),
    pc.UnsuspendInstance: _lifecycle("active"),
    pc.TerminateInstance: _lifecycle("terminated"),
}


# ---- rows, as billing's read models hold them ------------------------------------------


def a_tenant(name: str, tenant_id: UUID | None = None) -> TenantRow:
    return TenantRow(tenant_id or uuid4(), name, "active", NOW)


def an_operator(
    tenant_id: UUID,
    email: str,
    password: str | None,
    box: SecretBox,
    roles: list[str] | None = None,
    status: str = "active",
) -> OperatorRow:
    """An operator whose password is stored as billing stores it: argon2, sealed."""
    sealed = box.seal(PasswordHasher().hash(password)) if password else None
    return OperatorRow(
        operator_id_for(email),
        tenant_id,
        email.split("@")[0],
        email,
        roles or ["admin"],
        status,
        sealed,
        NOW,
    )


def a_customer(tenant_id: UUID, **changes: Any) -> CustomerRow:
    row = CustomerRow(
        uuid4(),
        tenant_id,
        "John Doe",
        "john@example.com",
        "+1-555-1234",
        Address(line1="123 Main St", city="Miami", country="US"),
        "UTC",
        "active",
        None,
        None,
        NOW,
    )
    return replace(row, **changes)


def a_product(
    tenant_id: UUID, amount: int = 999, currency: str = "USD", **changes: Any
) -> ProductRow:
    row = ProductRow(
        uuid4(),
        tenant_id,
        "CloudPod Mini",
        "cloudpod",
        "CPOD-MINI",
        [Price(cycle="monthly", amount=amount, currency=currency)],
        ProductSpecs(cpu=2, ram_mb=2048, disk_gb=40),
        "active",
        CloudPodPlacement(plan=Plan.STARTER, region=Region.EU_FRANKFURT),
        NOW,
    )
    return replace(row, **changes)


def an_invoice(tenant_id: UUID, customer_id: UUID, **changes: Any) -> InvoiceRow:
    row = InvoiceRow(
        id=uuid4(),
        tenant_id=tenant_id,
        customer_id=customer_id,
        status="unpaid",
        number=None,
        currency="USD",
        lines=[],
        subtotal=0,
        tax=0,
        tax_rate_bp=0,
        tax_country="US",
        total=0,
        amount_paid=0,
        amount_refunded=0,
        order_id=None,
        subscription_id=None,
        period_start=None,
        period_end=None,
        issued_at=NOW,
        due_at=NOW + timedelta(days=14),
        paid_at=None,
        credit_note_number=None,
        checkout_session_id=None,
        checkout_url=None,
        created_at=NOW,
        updated_at=NOW,
    )
    invoice_id = changes.pop("invoice_id", None)
    return replace(row, id=invoice_id or row.id, **changes)


def a_subscription(tenant_id: UUID, customer_id: UUID, product_id: UUID) -> SubscriptionRow:
    return SubscriptionRow(
        uuid4(),
        tenant_id,
        customer_id,
        product_id,
        "cloudpod",
        "active",
        "monthly",
        NOW,
        NOW,
        NOW + timedelta(days=31),
        NOW + timedelta(days=31),
        False,
        None,
        NOW,
    )


def a_cloudpod(
    tenant_id: UUID, customer_id: UUID, subscription_id: UUID, **changes: Any
) -> CloudPodRow:
    row = CloudPodRow(
        cloudpod_instance_id(subscription_id),
        tenant_id,
        customer_id,
        subscription_id,
        "john-site-1",
        "active",
        "CPOD-MINI",
        "john1.hostplane.test",
        "203.0.113.9",
        NOW,
    )
    return replace(row, **changes)


def operator_token(
    secret: str, tenant_id: UUID, roles: list[str], user_id: UUID | None = None, **claims: Any
) -> str:
    """An mPanel access token, as POST /api/auth/login hands them out."""
    now = int(time.time())
    payload = {
        "sub": str(user_id or uuid4()),
        "tenant_id": str(tenant_id),
        "roles": roles,
        "typ": "access",
        "aud": "mpanel",
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    return jwt.encode(payload, secret, algorithm="HS256")
