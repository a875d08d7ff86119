"""A customer's VPS as the read models show them: billing's CloudPods joined with their
instance, subscription and product (read-only)."""

import asyncio
from typing import Any
from uuid import UUID

from psycopg.rows import class_row, scalar_row

from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.cloudvps.servers import VpsFilter, VpsRow
from hostplane.gateway.application.mpanel.readmodels import Page

SELECT = """
    SELECT c.instance_id AS id, c.tenant_id, c.customer_id, c.subscription_id, c.name,
        coalesce(i.status, 'pending') AS status, i.ip_address, c.plan, c.region,
        coalesce(p.prices, '[]'::jsonb) AS prices, i.pending_operation, c.created_at,
        s.period_end AS next_billing_date, i.stopped_at, i.image, i.running_since
    FROM views.cloudpods c
    LEFT JOIN views.instances i ON i.id = c.instance_id
    LEFT JOIN views.subscriptions s ON s.id = c.subscription_id
    LEFT JOIN views.products p ON p.id = c.product_id
"""
COUNT = """
    SELECT count(*) FROM views.cloudpods c LEFT JOIN views.instances i ON i.id = c.instance_id
"""
ORDER = {"created_at": "c.created_at", "name": "c.name", "status": "coalesce(i.status, '')"}


class VpsViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def servers(self, tenant_id: UUID, customer_id: UUID, wanted: VpsFilter) -> Page[VpsRow]:
        where = " WHERE c.tenant_id = %(tenant)s AND c.customer_id = %(customer)s"
        params: dict[str, Any] = {"tenant": tenant_id, "customer": customer_id}
        if wanted.statuses is None:
            where += " AND coalesce(i.status, '') <> 'terminated'"
        else:
            where += " AND coalesce(i.status, 'pending') = ANY(%(statuses)s)"
            params["statuses"] = list(wanted.statuses)
        if wanted.stopped is not None:
            where += " AND (i.stopped_at IS NOT NULL) = %(stopped)s"
            params["stopped"] = wanted.stopped
        if wanted.operation is not None:
            where += " AND i.pending_operation = %(operation)s"
            params["operation"] = wanted.operation
        direction = "DESC" if wanted.descending else "ASC"
        order = f"{ORDER[wanted.sort]} {direction}, c.instance_id {direction}"
        window = {"limit": wanted.limit, "offset": (wanted.page - 1) * wanted.limit}
        items, total = await asyncio.gather(
            self._db.all(
                class_row(VpsRow),
                f"{SELECT}{where} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s",
                params | window,
            ),
            self._db.one(scalar_row, COUNT + where, params),
        )
        return Page(items, int(total or 0))

    async def server(self, tenant_id: UUID, customer_id: UUID, vps_id: UUID) -> VpsRow | None:
        return await self._db.one(
            class_row(VpsRow),
            SELECT + " WHERE c.tenant_id = %(tenant)s AND c.customer_id = %(customer)s"
            " AND c.instance_id = %(id)s",
            {"tenant": tenant_id, "customer": customer_id, "id": vps_id},
        )
