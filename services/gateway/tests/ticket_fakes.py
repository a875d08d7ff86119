"""The support service and its read models, in memory: commands on `support.commands`
applied to ticket rows as the support service and metrics would, each with its job."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count
from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts.commands import support as sc
from hostplane.gateway.application.cloudvps.tickets import MessageRow, TicketFilter, TicketRow
from hostplane.gateway.application.mpanel.readmodels import Page
from hostplane.gateway.application.readmodels import JobRow

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
ORDER = {"low": 0, "medium": 1, "high": 2, "urgent": 3}


class FakeTickets:
    def __init__(self, jobs: dict[UUID, JobRow]) -> None:
        self.jobs = jobs
        self.rows: dict[UUID, TicketRow] = {}
        self.posted: list[MessageRow] = []
        self._clock = count()

    def _now(self) -> datetime:
        return T0 + timedelta(minutes=next(self._clock))

    def react(self, command: BaseModel, job_id: UUID) -> None:
        now = self._now()
        if isinstance(command, sc.OpenTicket):
            self.rows[command.ticket_id] = TicketRow(
                command.ticket_id,
                command.tenant_id,
                command.actor_id,
                command.subject,
                command.description,
                command.category,
                command.priority.value,
                "open",
                command.vps_id,
                0,
                now,
                now,
            )
        elif isinstance(command, sc.AddTicketMessage):
            row = self.rows[command.ticket_id]
            files = [
                {
                    "id": f"file-{n}",
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": 1,
                    "sha256": "0" * 64,
                }
                for n, a in enumerate(command.attachments)
            ]
            self.posted.append(
                MessageRow(
                    command.message_id,
                    row.id,
                    command.actor_id,
                    command.actor_role,
                    command.body,
                    files,
                    now,
                )
            )
            status = "in-progress" if command.actor_role == "admin" else row.status
            self.rows[row.id] = replace(
                row, message_count=row.message_count + 1, status=status, updated_at=now
            )
        elif isinstance(command, sc.UpdateTicket):
            row = self.rows[command.ticket_id]
            self.rows[row.id] = replace(
                row,
                status=command.status.value if command.status else row.status,
                priority=command.priority.value if command.priority else row.priority,
                updated_at=now,
            )
        self.jobs[job_id] = JobRow(job_id, "succeeded", None, None, now, None, None, False)

    async def tickets(self, tenant_id: UUID, wanted: TicketFilter) -> Page[TicketRow]:
        found = [
            row
            for row in self.rows.values()
            if row.tenant_id == tenant_id
            and wanted.owner_id in (None, row.owner_id)
            and wanted.status in (None, row.status)
            and wanted.priority in (None, row.priority)
        ]
        key = {"priority": lambda r: ORDER[r.priority]}.get(
            wanted.sort, lambda r: getattr(r, wanted.sort)
        )
        found.sort(key=key, reverse=wanted.descending)
        start = (wanted.page - 1) * wanted.limit
        return Page(found[start : start + wanted.limit], len(found))

    async def ticket(self, tenant_id: UUID, ticket_id: UUID) -> TicketRow | None:
        row = self.rows.get(ticket_id)
        return row if row is not None and row.tenant_id == tenant_id else None

    async def messages(self, ticket_id: UUID) -> list[MessageRow]:
        return [m for m in self.posted if m.ticket_id == ticket_id]
