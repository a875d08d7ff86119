"""Seed 002 §19: the audit log, newest first."""

from typing import Any
from uuid import UUID

from hostplane.contracts.mpanel.common import Body, ListResponse, Timestamp


class AuditEntry(Body):
    id: str
    tenant_id: UUID
    actor_id: UUID | None
    action: str  # the event's type, e.g. subscription.created
    resource_type: str
    resource_id: str
    metadata: dict[str, Any]
    created_at: Timestamp | None


class AuditList(ListResponse[AuditEntry]):
    pass
