"""The tenant's audit log: every change, who made it, newest first."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import AuditRow, Page
from hostplane.gateway.domain.mpanel.access import Operator


@dataclass(frozen=True)
class AuditFilter:
    actor_id: UUID | None = None
    action: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class AuditLog:
    reads: BillingReads

    async def list(
        self, operator: Operator, where: AuditFilter, page: int, page_size: int
    ) -> Page[AuditRow]:
        """The tenant's audit entries that match, newest first."""
        return await self.reads.audit(
            operator.tenant_id,
            where.actor_id,
            where.action,
            where.resource_type,
            where.resource_id,
            where.since,
            page,
            page_size,
        )
