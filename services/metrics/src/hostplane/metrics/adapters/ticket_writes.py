"""How ticket changes are written, inside the caller's transaction."""

from collections.abc import Callable
from typing import Any

from psycopg import Cursor
from psycopg.types.json import Jsonb

from hostplane.contracts.cloudvps.tickets import TicketPriority
from hostplane.metrics.domain.ticket_projection import TicketMessageSaved, TicketSaved

PRIORITY_RANK = {priority: rank for rank, priority in enumerate(TicketPriority)}


def _ticket(cur: Cursor[Any], change: TicketSaved) -> None:
    t = change.ticket
    cur.execute(
        """
        INSERT INTO tickets AS saved (id, version, tenant_id, owner_id, subject, description,
            category, priority, priority_rank, status, vps_id, message_count, created_at,
            updated_at)
        VALUES (%(id)s, %(version)s, %(tenant)s, %(owner)s, %(subject)s, %(description)s,
            %(category)s, %(priority)s, %(rank)s, %(status)s, %(vps)s, %(messages)s,
            %(opened)s, %(at)s)
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version,
            subject = EXCLUDED.subject, description = EXCLUDED.description,
            category = EXCLUDED.category, priority = EXCLUDED.priority,
            priority_rank = EXCLUDED.priority_rank, status = EXCLUDED.status,
            vps_id = EXCLUDED.vps_id, message_count = EXCLUDED.message_count,
            updated_at = EXCLUDED.updated_at
        WHERE saved.version < EXCLUDED.version
        """,
        {
            "id": t.ticket_id,
            "version": change.version,
            "tenant": t.tenant_id,
            "owner": t.owner_id,
            "subject": t.subject,
            "description": t.description,
            "category": t.category,
            "priority": t.priority.value,
            "rank": PRIORITY_RANK[t.priority],
            "status": t.status.value,
            "vps": t.vps_id,
            "messages": t.message_count,
            "opened": t.opened_at,
            "at": t.occurred_at,
        },
    )


def _message(cur: Cursor[Any], change: TicketMessageSaved) -> None:
    t, m = change.ticket, change.ticket.message
    cur.execute(
        """
        INSERT INTO ticket_messages (id, ticket_id, author_id, author_role, body, attachments,
            created_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (id) DO NOTHING
        """,
        (
            m.id,
            t.ticket_id,
            m.author_id,
            m.author_role,
            m.body,
            Jsonb([a.model_dump(mode="json") for a in m.attachments]),
            t.occurred_at,
        ),
    )


TICKET_WRITES: dict[type[Any], Callable[[Cursor[Any], Any], None]] = {
    TicketSaved: _ticket,
    TicketMessageSaved: _message,
}
