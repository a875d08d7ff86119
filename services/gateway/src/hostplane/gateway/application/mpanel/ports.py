"""What the mPanel use cases read: billing's read models, always within one tenant."""

from datetime import datetime
from typing import Protocol
from uuid import UUID

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


class BillingReads(Protocol):
    """Read-only queries on billing's read models. `page` counts from 1."""

    async def operator_by_email(self, email: str) -> OperatorRow | None:
        """The operator signing in with this email (emails are unique across tenants)."""
        ...

    async def operator(self, tenant_id: UUID, user_id: UUID) -> OperatorRow | None: ...

    async def operators(self, tenant_id: UUID, page: int, page_size: int) -> Page[OperatorRow]: ...

    async def tenant(self, tenant_id: UUID) -> TenantRow | None: ...

    async def tenants(self, only: UUID | None, page: int, page_size: int) -> Page[TenantRow]:
        """Every tenant, or `only` that one (an operator of another tenant sees its own)."""
        ...

    async def customer(self, tenant_id: UUID, customer_id: UUID) -> CustomerRow | None: ...

    async def customers(
        self, tenant_id: UUID, search: str | None, page: int, page_size: int
    ) -> Page[CustomerRow]:
        """`search`: part of a name or email, case-insensitive."""
        ...

    async def product(self, tenant_id: UUID, product_id: UUID) -> ProductRow | None: ...

    async def products(
        self,
        tenant_id: UUID,
        product_type: str | None,
        active_only: bool,
        page: int,
        page_size: int,
    ) -> Page[ProductRow]: ...

    async def coupons(self, tenant_id: UUID, page: int, page_size: int) -> Page[CouponRow]: ...

    async def order(self, tenant_id: UUID, order_id: UUID) -> OrderRow | None: ...

    async def invoice(self, tenant_id: UUID, invoice_id: UUID) -> InvoiceRow | None: ...

    async def invoices(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        page: int,
        page_size: int,
    ) -> Page[InvoiceRow]: ...

    async def subscription(
        self, tenant_id: UUID, subscription_id: UUID
    ) -> SubscriptionRow | None: ...

    async def subscriptions(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        product_type: str | None,
        page: int,
        page_size: int,
    ) -> Page[SubscriptionRow]: ...

    async def cloudpod(self, tenant_id: UUID, instance_id: UUID) -> CloudPodRow | None: ...

    async def cloudpods(
        self,
        tenant_id: UUID,
        customer_id: UUID | None,
        status: str | None,
        page: int,
        page_size: int,
    ) -> Page[CloudPodRow]: ...

    async def job(self, tenant_id: UUID, job_id: UUID) -> ProvisioningJobRow | None:
        """A job of one of the tenant's CloudPods."""
        ...

    async def jobs(
        self,
        tenant_id: UUID,
        status: str | None,
        command: str | None,
        target_id: UUID | None,
        page: int,
        page_size: int,
    ) -> Page[ProvisioningJobRow]: ...

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
        ...
