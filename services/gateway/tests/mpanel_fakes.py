"""Billing's read models as the mPanel use cases see them, in memory (`FakeBillingReads`),
the Idempotency-Keys, invoice documents and the tokens mPanel hands out."""

import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

import jwt

from hostplane.gateway.application.cloudvps.ports import AccountRow, Refreshed
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

Row = TypeVar("Row")
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
    accounts: dict[UUID, AccountRow] = field(default_factory=dict)


@dataclass
class FakeBillingReads:
    """Billing's read models in memory; every query is within one tenant."""

    rows: BillingRows = field(default_factory=BillingRows)

    async def account(self, tenant_id: UUID, account_id: UUID) -> AccountRow | None:
        return _mine(self.rows.accounts.get(account_id), tenant_id)

    async def account_by_email(self, tenant_id: UUID, email: str) -> AccountRow | None:
        found = (a for a in self.rows.accounts.values() if a.email.lower() == email.lower())
        return _mine(next(found, None), tenant_id)

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


@dataclass
class RefreshToken:
    session_id: UUID
    user_id: UUID
    used: bool = False
    revoked: bool = False


@dataclass
class FakeRefreshTokens:
    """CloudVPS's refresh tokens in memory, with the database's rules."""

    tokens: dict[UUID, RefreshToken] = field(default_factory=dict)

    async def issue(self, token_id: UUID, session_id: UUID, user_id: UUID, ttl_s: int) -> None:
        self.tokens[token_id] = RefreshToken(session_id, user_id)

    async def take(self, token_id: UUID) -> Refreshed | None:
        token = self.tokens.get(token_id)
        if token is None or token.revoked:
            return None
        if token.used:
            await self.revoke_session(token.session_id)
            return None
        token.used = True
        return Refreshed(token.session_id, token.user_id)

    async def revoke_session(self, session_id: UUID) -> None:
        for token in self.tokens.values():
            token.revoked = token.revoked or token.session_id == session_id

    async def revoke_user(self, user_id: UUID, keep: UUID | None = None) -> None:
        for token in self.tokens.values():
            if token.user_id == user_id and token.session_id != keep:
                token.revoked = True
