"""CloudVPS's admin reads on the `views` schema: every account and VPS of a tenant, and the
platform's figures. VPS are billing's CloudPods joined with their instance and the account
whose customer pays for them."""

import asyncio
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.rows import scalar_row, tuple_row

from hostplane.gateway.adapters.billing_views import ACCOUNTS, Where, of_tenant
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.adapters.vps_views import SELECT as VPS_SELECT
from hostplane.gateway.application.cloudvps.admin import (
    AdminVpsFilter,
    OwnedVps,
    PlatformFigures,
    UserFilter,
)
from hostplane.gateway.application.cloudvps.ports import AccountRow
from hostplane.gateway.application.cloudvps.servers import VpsRow
from hostplane.gateway.application.mpanel.readmodels import Page

USER_ORDER = {"created_at": "a.created_at", "name": "lower(a.name)", "email": "lower(a.email)"}
VPS_ORDER = {"created_at": "c.created_at", "name": "c.name", "status": "coalesce(i.status, '')"}
OWNED_COUNT = """
    SELECT count(*) FROM views.cloudpods c
    LEFT JOIN views.instances i ON i.id = c.instance_id
"""
VPS_BY_STATUS = """
    SELECT coalesce(i.status, 'pending'), count(*) FROM views.cloudpods c
    LEFT JOIN views.instances i ON i.id = c.instance_id
    WHERE c.tenant_id = %(tenant)s AND coalesce(i.status, '') <> 'terminated'
    GROUP BY 1
"""
USERS = """
    SELECT count(*), count(*) FILTER (WHERE status = 'active') FROM views.accounts
    WHERE tenant_id = %(tenant)s
"""
# What was paid this month and kept (refunds taken off), per currency.
REVENUE = """
    SELECT currency, sum(amount_paid - amount_refunded) FROM views.invoices
    WHERE tenant_id = %(tenant)s AND paid_at >= %(since)s GROUP BY currency
"""
# Support's tickets, counted once its read model exists.
TICKETS_KEPT = "SELECT to_regclass('views.tickets') IS NOT NULL"
OPEN_TICKETS = "SELECT count(*) FROM views.tickets WHERE status IN ('open', 'in-progress')"
OWNER = "SELECT a.id AS user_id, a.email AS owner,"
OWNER_JOIN = " JOIN views.accounts a ON a.customer_id = c.customer_id AND a.tenant_id = c.tenant_id"


def _prefix(text: str | None) -> str | None:
    """A case-insensitive LIKE pattern for `text` at the start (its wildcards literal)."""
    if text is None:
        return None
    return text.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def _owned(user_id: UUID, owner: str, *vps: Any) -> OwnedVps:
    return OwnedVps(VpsRow(*vps), user_id)


class CloudVpsAdminViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def users(self, tenant_id: UUID, wanted: UserFilter) -> Page[AccountRow]:
        where = (
            of_tenant("a", tenant_id)
            .add("a.status = %(status)s", status=wanted.status)
            .add("a.role = %(role)s", role=wanted.role)
            .add(
                "(lower(a.email) LIKE %(search)s OR lower(a.name) LIKE %(search)s)",
                search=_prefix(wanted.search),
            )
        )
        direction = "DESC" if wanted.descending else "ASC"
        order = f"{USER_ORDER[wanted.sort]} {direction}, a.id {direction}"
        return await self._page(
            ACCOUNTS.row, ACCOUNTS.select, ACCOUNTS.source, where, order, wanted
        )

    async def servers(self, tenant_id: UUID, wanted: AdminVpsFilter) -> Page[OwnedVps]:
        where = self._vps_where(tenant_id, wanted)
        direction = "DESC" if wanted.descending else "ASC"
        order = f"{VPS_ORDER[wanted.sort]} {direction}, c.instance_id {direction}"
        window = {"limit": wanted.limit, "offset": (wanted.page - 1) * wanted.limit}
        query = (
            f"{VPS_SELECT.replace('SELECT', OWNER, 1)}{OWNER_JOIN}{where} ORDER BY {order}"
            " LIMIT %(limit)s OFFSET %(offset)s"
        )
        items, total = await asyncio.gather(
            self._db.all(tuple_row, query, where.params | window),
            self._db.one(scalar_row, f"{OWNED_COUNT}{OWNER_JOIN}{where}", where.params),
        )
        return Page([_owned(*row) for row in items], int(total or 0))

    async def server(self, tenant_id: UUID, vps_id: UUID) -> OwnedVps | None:
        where = of_tenant("c", tenant_id).add("c.instance_id = %(id)s", id=vps_id)
        query = f"{VPS_SELECT.replace('SELECT', OWNER, 1)}{OWNER_JOIN}{where}"
        row = await self._db.one(tuple_row, query, where.params)
        return _owned(*row) if row else None

    async def figures(self, tenant_id: UUID, month_start: datetime) -> PlatformFigures:
        params = {"tenant": tenant_id, "since": month_start}
        users, by_status, revenue, tickets = await asyncio.gather(
            self._db.one(tuple_row, USERS, params),
            self._db.all(tuple_row, VPS_BY_STATUS, params),
            self._db.all(tuple_row, REVENUE, params),
            self._open_tickets(),
        )
        total, active = users or (0, 0)
        currency, amount = max(revenue, key=lambda r: r[1], default=("USD", 0))
        return PlatformFigures(
            total_users=int(total),
            active_users=int(active),
            vps_by_status={str(status): int(n) for status, n in by_status},
            open_tickets=int(tickets or 0),
            revenue=int(amount or 0),
            currency=str(currency),
        )

    async def _open_tickets(self) -> int:
        if not await self._db.one(scalar_row, TICKETS_KEPT):
            return 0
        return int(await self._db.one(scalar_row, OPEN_TICKETS) or 0)

    def _vps_where(self, tenant_id: UUID, wanted: AdminVpsFilter) -> Where:
        where = of_tenant("c", tenant_id).add("a.id = %(user)s", user=wanted.user_id)
        if wanted.statuses is None:
            where.add("coalesce(i.status, '') <> 'terminated'")
        else:
            where.add(
                "coalesce(i.status, 'pending') = ANY(%(statuses)s)", statuses=list(wanted.statuses)
            )
        return where.add(
            "(lower(c.name) LIKE %(search)s OR lower(a.email) LIKE %(search)s)",
            search=_prefix(wanted.search),
        )

    async def _page(
        self, row: Any, select: str, source: str, where: Where, order: str, wanted: UserFilter
    ) -> Page[AccountRow]:
        window = {"limit": wanted.limit, "offset": (wanted.page - 1) * wanted.limit}
        query = (
            f"SELECT {select} FROM {source}{where} "  # noqa: S608
            f"ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"
        )
        count = f"SELECT count(*) FROM {source}{where}"  # noqa: S608
        items, total = await asyncio.gather(
            self._db.all(row, query, where.params | window),
            self._db.one(scalar_row, count, where.params),
        )
        return Page(items, int(total or 0))
