"""CloudVPS's admin reads in memory, over the accounts and VPS the other fakes keep, and the
health checks and host figures the system health asks."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from hostplane.gateway.application.cloudvps.admin import (
    AdminVpsFilter,
    CheckFailed,
    HostUsage,
    OwnedVps,
    PlatformFigures,
    UserFilter,
)
from hostplane.gateway.application.cloudvps.ports import AccountRow
from hostplane.gateway.application.mpanel.readmodels import Page
from services.gateway.tests.mpanel_fakes import FakeBillingReads
from services.gateway.tests.vps_fakes import FakeVpsReads


def _starts(text: str | None, *values: str) -> bool:
    return text is None or any(v.lower().startswith(text.lower()) for v in values)


@dataclass
class FakeAdminReads:
    billing: FakeBillingReads
    vps: FakeVpsReads
    revenue: int = 0  # paid this month, in cents of USD

    def _owner(self, customer_id: UUID) -> AccountRow | None:
        found = (a for a in self.billing.rows.accounts.values() if a.customer_id == customer_id)
        return next(found, None)

    async def users(self, tenant_id: UUID, wanted: UserFilter) -> Page[AccountRow]:
        rows = [
            a
            for a in self.billing.rows.accounts.values()
            if a.tenant_id == tenant_id
            and wanted.status in (None, a.status)
            and wanted.role in (None, a.role)
            and _starts(wanted.search, a.email, a.name)
        ]
        rows.sort(key=lambda a: (getattr(a, wanted.sort), a.id), reverse=wanted.descending)
        first = (wanted.page - 1) * wanted.limit
        return Page(rows[first : first + wanted.limit], len(rows))

    async def servers(self, tenant_id: UUID, wanted: AdminVpsFilter) -> Page[OwnedVps]:
        owned = [o for r in self.vps.rows.values() if (o := self._owned(tenant_id, r.id))]
        rows = [
            o
            for o in owned
            if (
                o.vps.status != "terminated"
                if wanted.statuses is None
                else o.vps.status in wanted.statuses
            )
            and wanted.user_id in (None, o.user_id)
            and _starts(wanted.search, o.vps.name)
        ]
        rows.sort(key=lambda o: (getattr(o.vps, wanted.sort), o.vps.id), reverse=wanted.descending)
        first = (wanted.page - 1) * wanted.limit
        return Page(rows[first : first + wanted.limit], len(rows))

    def _owned(self, tenant_id: UUID, vps_id: UUID) -> OwnedVps | None:
        row = self.vps.rows.get(vps_id)
        owner = self._owner(row.customer_id) if row and row.tenant_id == tenant_id else None
        return OwnedVps(row, owner.id) if row and owner else None

    async def server(self, tenant_id: UUID, vps_id: UUID) -> OwnedVps | None:
        return self._owned(tenant_id, vps_id)

    async def figures(self, tenant_id: UUID, month_start: datetime) -> PlatformFigures:
        accounts = [a for a in self.billing.rows.accounts.values() if a.tenant_id == tenant_id]
        by_status: dict[str, int] = {}
        for row in self.vps.rows.values():
            if row.status != "terminated":
                by_status[row.status] = by_status.get(row.status, 0) + 1
        return PlatformFigures(
            total_users=len(accounts),
            active_users=sum(a.status == "active" for a in accounts),
            vps_by_status=by_status,
            open_tickets=0,
            revenue=self.revenue,
            currency="USD",
        )

    def suspend(self, vps_id: UUID) -> None:
        """Billing and provisioning did it: the VPS shows suspended."""
        self.vps.rows[vps_id] = replace(self.vps.rows[vps_id], status="suspended")


@dataclass
class FakeCheck:
    failing: str | None = None

    async def check(self) -> None:
        if self.failing:
            raise CheckFailed(self.failing)


@dataclass
class FakeHost:
    usage_now: HostUsage = field(default_factory=lambda: HostUsage(0.5, 40.0, 30.0))

    async def usage(self) -> HostUsage:
        return self.usage_now
