"""Read rows and use-case results as mPanel's bodies: amounts from minor units to the
contract's decimals, statuses and job types by the panel's names."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from hostplane.contracts.billing import CouponKind, Role
from hostplane.contracts.money import to_major
from hostplane.contracts.mpanel.audit import AuditEntry
from hostplane.contracts.mpanel.auth import LoginResponse, Me, UserSummary
from hostplane.contracts.mpanel.cloudpods import CloudPod
from hostplane.contracts.mpanel.common import ListResponse
from hostplane.contracts.mpanel.customers import Address, Customer
from hostplane.contracts.mpanel.invoices import Invoice, InvoiceItem
from hostplane.contracts.mpanel.jobs import Job
from hostplane.contracts.mpanel.orders import (
    Addon,
    InvoiceSummary,
    Order,
    OrderItem,
    OrderPlaced,
    OrderSummary,
)
from hostplane.contracts.mpanel.products import Coupon, CyclePriceOut, Product, SpecsOut
from hostplane.contracts.mpanel.subscriptions import Subscription
from hostplane.contracts.mpanel.tenants import Tenant
from hostplane.contracts.mpanel.users import User
from hostplane.gateway.application.mpanel.orders import Placed
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
from hostplane.gateway.application.mpanel.sessions import SignedIn
from hostplane.gateway.domain.mpanel.access import Operator
from hostplane.gateway.domain.mpanel.cloudpods import panel_status
from hostplane.gateway.domain.mpanel.jobs import job_type

R = TypeVar("R")
B = TypeVar("B")
L = TypeVar("L", bound=ListResponse[Any])


def listing(
    kind: type[L], rows: Page[R], present: Callable[[R], B], page: int, page_size: int
) -> L:
    """One page of rows as the contract's list body."""
    items = [present(row) for row in rows.items]
    return kind(items=items, total=rows.total, page=page, page_size=page_size)


def _roles(row: OperatorRow) -> list[Role]:
    return [Role(role) for role in row.roles]


def summary(row: OperatorRow) -> UserSummary:
    return UserSummary(
        id=row.id, name=row.name, email=row.email, roles=_roles(row), tenant_id=row.tenant_id
    )


def login(signed: SignedIn) -> LoginResponse:
    return LoginResponse(
        token=signed.token, refresh_token=signed.refresh_token, user=summary(signed.operator)
    )


def me(row: OperatorRow, operator: Operator) -> Me:
    return Me(**summary(row).model_dump(), permissions=operator.permissions)


def tenant(row: TenantRow) -> Tenant:
    return Tenant(id=row.id, name=row.name, status=row.status, created_at=row.created_at)


def user(row: OperatorRow) -> User:
    return User(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        email=row.email,
        roles=_roles(row),
        status=row.status,
        created_at=row.created_at,
    )


def customer(row: CustomerRow) -> Customer:
    return Customer(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        address=Address.model_validate(row.address.model_dump()),
        timezone=row.timezone,
        status=row.status,
        created_at=row.created_at,
    )


def product(row: ProductRow) -> Product:
    placement = row.placement
    return Product(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        product_type=row.product_type,
        sku=row.sku,
        billing_cycles=[
            CyclePriceOut(cycle=p.cycle, price=to_major(p.amount, p.currency), currency=p.currency)
            for p in row.prices
        ],
        specs=SpecsOut(cpu=row.specs.cpu, ram_mb=row.specs.ram_mb, disk_gb=row.specs.disk_gb),
        status=row.status,
        plan=placement.plan.value if placement else None,
        region=placement.region.value if placement else None,
        created_at=row.created_at,
    )


def coupon(row: CouponRow) -> Coupon:
    fixed = row.kind == CouponKind.FIXED and row.currency
    return Coupon(
        id=row.id,
        tenant_id=row.tenant_id,
        code=row.code,
        kind=row.kind,
        value=to_major(row.value, row.currency) if fixed and row.currency else Decimal(row.value),
        currency=row.currency,
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        uses=row.uses,
        created_at=row.created_at,
    )


def order(row: OrderRow) -> Order:
    return Order(
        id=row.id,
        tenant_id=row.tenant_id,
        customer_id=row.customer_id,
        status=row.status,
        items=[
            OrderItem(
                product_id=line.product_id,
                billing_cycle=line.billing_cycle,
                quantity=line.quantity,
                addons=[Addon(product_id=a.product_id, quantity=a.quantity) for a in line.addons],
            )
            for line in row.items
        ],
        coupon_code=row.coupon_code,
        invoice_id=row.invoice_id,
        total=to_major(row.total, row.currency),
        currency=row.currency,
        subscription_ids=row.subscription_ids,
        instance_ids=row.instance_ids,
        error_code=row.error_code,
        error_message=row.error_message,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def placed(result: Placed) -> OrderPlaced:
    row, invoice_row = result.order, result.invoice
    return OrderPlaced(
        order=OrderSummary(
            id=row.id,
            status=row.status,
            total=to_major(row.total, row.currency),
            currency=row.currency,
        ),
        invoice=InvoiceSummary(
            id=invoice_row.id,
            status=invoice_row.status,
            amount=to_major(invoice_row.total, invoice_row.currency),
        ),
    )


def invoice(row: InvoiceRow) -> Invoice:
    def major(minor: int) -> Decimal:
        return to_major(minor, row.currency)

    return Invoice(
        id=row.id,
        tenant_id=row.tenant_id,
        customer_id=row.customer_id,
        number=row.number,
        status=row.status,
        currency=row.currency,
        items=[
            InvoiceItem(
                description=line.description,
                quantity=line.quantity,
                unit_price=major(line.unit_amount),
                total=major(line.amount),
                kind=line.kind,
            )
            for line in row.lines
        ],
        subtotal=major(row.subtotal),
        tax=major(row.tax),
        tax_rate=Decimal(row.tax_rate_bp).scaleb(-2),
        total=major(row.total),
        amount_paid=major(row.amount_paid),
        amount_refunded=major(row.amount_refunded),
        order_id=row.order_id,
        subscription_id=row.subscription_id,
        issued_at=row.issued_at,
        due_at=row.due_at,
        paid_at=row.paid_at,
        created_at=row.created_at,
    )


def subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        tenant_id=row.tenant_id,
        customer_id=row.customer_id,
        product_id=row.product_id,
        product_type=row.product_type,
        status=row.status,
        billing_cycle=row.billing_cycle,
        starts_at=row.starts_at,
        renews_at=row.renews_at,
        cancel_at_period_end=row.cancel_at_period_end,
        period_start=row.period_start,
        period_end=row.period_end,
        instance_id=row.instance_id,
        created_at=row.created_at,
    )


def cloudpod(row: CloudPodRow) -> CloudPod:
    return CloudPod(
        id=row.id,
        tenant_id=row.tenant_id,
        customer_id=row.customer_id,
        subscription_id=row.subscription_id,
        name=row.name,
        status=panel_status(row.status),
        template=row.template,
        hostname=row.hostname,
        ipv4=row.ipv4,
        created_at=row.created_at,
    )


def job(row: ProvisioningJobRow) -> Job:
    return Job(
        id=row.id,
        tenant_id=row.tenant_id,
        type=job_type(row.command),
        status=row.status,
        target_id=row.target_id,
        error_code=row.error_code,
        error_message=row.error_message,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def audit(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        tenant_id=row.tenant_id,
        actor_id=row.actor_id,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        metadata=row.metadata,
        created_at=row.created_at,
    )
