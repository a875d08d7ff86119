"""Support tickets as the read models show them (read-only): `views.tickets` and
`views.ticket_messages`, projected by metrics from `support.events`."""

import asyncio
from typing import Any
from uuid import UUID

from psycopg.rows import class_row, scalar_row

from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.cloudvps.tickets import MessageRow, TicketFilter, TicketRow
from hostplane.gateway.application.mpanel.readmodels import Page

SELECT = """
    SELECT id, tenant_id, owner_id, subject, description, category, priority, status, vps_id,
        message_count, created_at, updated_at
    FROM views.tickets
"""
COUNT = "SELECT count(*) FROM views.tickets"
ORDER = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "priority": "priority_rank",
    "status": "status",
}


class TicketViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def tickets(self, tenant_id: UUID, wanted: TicketFilter) -> Page[TicketRow]:
        where = " WHERE tenant_id = %(tenant)s"
        params: dict[str, Any] = {"tenant": tenant_id}
        for column in ("owner_id", "status", "priority"):
            value = getattr(wanted, column)
            if value is not None:
                where += f" AND {column} = %({column})s"
                params[column] = value
        direction = "DESC" if wanted.descending else "ASC"
        order = f"{ORDER[wanted.sort]} {direction}, id {direction}"
        window = {"limit": wanted.limit, "offset": (wanted.page - 1) * wanted.limit}
        items, total = await asyncio.gather(
            self._db.all(
                class_row(TicketRow),
                f"{SELECT}{where} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s",
                params | window,
            ),
            self._db.one(scalar_row, COUNT + where, params),
        )
        return Page(items, int(total or 0))

    async def ticket(self, tenant_id: UUID, ticket_id: UUID) -> TicketRow | None:
        return await self._db.one(
            class_row(TicketRow),
            SELECT + " WHERE tenant_id = %(tenant)s AND id = %(id)s",
            {"tenant": tenant_id, "id": ticket_id},
        )

    async def messages(self, ticket_id: UUID) -> list[MessageRow]:
        return await self._db.all(
            class_row(MessageRow),
            "SELECT id, ticket_id, author_id, author_role, body, attachments, created_at"
            " FROM views.ticket_messages WHERE ticket_id = %(id)s ORDER BY created_at, id",
            {"id": ticket_id},
        )
