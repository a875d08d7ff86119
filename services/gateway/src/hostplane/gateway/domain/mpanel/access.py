"""Operators and what their roles allow.

`admin` may do everything; `billing` manages the catalog, customers and their money;
`support` reads everything and may suspend or unsuspend a CloudPod and retry its jobs;
`viewer` only reads. Tenants, operators, the audit log, an invoice's status by hand and
creating or deleting CloudPods are an admin's alone.
"""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from hostplane.contracts.billing import Role
from hostplane.gateway.domain.errors import Forbidden


class Permission(StrEnum):
    TENANTS_READ = "tenants:read"
    TENANTS_WRITE = "tenants:write"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    AUDIT_READ = "audit:read"
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    PRODUCTS_READ = "products:read"
    PRODUCTS_WRITE = "products:write"
    COUPONS_READ = "coupons:read"
    COUPONS_WRITE = "coupons:write"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    INVOICES_READ = "invoices:read"
    INVOICES_STATUS = "invoices:status"
    PAYMENTS_WRITE = "payments:write"
    SUBSCRIPTIONS_READ = "subscriptions:read"
    SUBSCRIPTIONS_WRITE = "subscriptions:write"
    CLOUDPODS_READ = "cloudpods:read"
    CLOUDPODS_WRITE = "cloudpods:write"
    CLOUDPODS_SUSPEND = "cloudpods:suspend"
    JOBS_READ = "jobs:read"
    JOBS_RETRY = "jobs:retry"


P = Permission
READ = frozenset(
    {
        P.CUSTOMERS_READ,
        P.PRODUCTS_READ,
        P.COUPONS_READ,
        P.ORDERS_READ,
        P.INVOICES_READ,
        P.SUBSCRIPTIONS_READ,
        P.CLOUDPODS_READ,
        P.JOBS_READ,
    }
)
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.BILLING: READ
    | {
        P.CUSTOMERS_WRITE,
        P.PRODUCTS_WRITE,
        P.COUPONS_WRITE,
        P.ORDERS_WRITE,
        P.PAYMENTS_WRITE,
        P.SUBSCRIPTIONS_WRITE,
    },
    Role.SUPPORT: READ | {P.CLOUDPODS_SUSPEND, P.JOBS_RETRY},
    Role.VIEWER: READ,
}


@dataclass(frozen=True)
class Operator:
    """A signed-in operator of one tenant."""

    user_id: UUID
    tenant_id: UUID
    roles: frozenset[Role]

    @property
    def granted(self) -> frozenset[Permission]:
        return frozenset().union(*(GRANTS[role] for role in self.roles))

    @property
    def permissions(self) -> list[str]:
        """What `/auth/me` lists: `*` for an admin, else each permission's name."""
        if Role.ADMIN in self.roles:
            return ["*"]
        return sorted(self.granted)

    def may(self, permission: Permission) -> bool:
        return permission in self.granted

    def require(self, permission: Permission) -> "Operator":
        """The operator, if its roles allow `permission`; FORBIDDEN otherwise."""
        if not self.may(permission):
            raise Forbidden(f"Your roles do not allow {permission}")
        return self
