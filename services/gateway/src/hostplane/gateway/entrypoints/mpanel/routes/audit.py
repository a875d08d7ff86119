"""Seed 002 §19: the tenant's audit log (admins)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from hostplane.contracts.mpanel.audit import AuditList
from hostplane.contracts.mpanel.common import TimeIn
from hostplane.gateway.application.mpanel.audit import AuditFilter
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed

router = APIRouter(prefix="/api/audit", tags=["audit"])

Auditor = Annotated[Operator, allowed(Permission.AUDIT_READ)]
NAME = r"^[\x21-\x7e]+$"  # printable, no spaces: an event type, a resource's type or id
Since = Annotated[TimeIn | None, Query()]


@router.get("", response_model=AuditList)
async def list_audit(
    operator: Auditor,
    mpanel: MPanelDep,
    actor_id: Annotated[UUID | None, Query(alias="actorId")] = None,
    action: Annotated[str | None, Query(alias="type", max_length=200, pattern=NAME)] = None,
    resource_type: Annotated[
        str | None, Query(alias="resourceType", max_length=200, pattern=NAME)
    ] = None,
    resource_id: Annotated[
        str | None, Query(alias="resourceId", max_length=200, pattern=NAME)
    ] = None,
    since: Since = None,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> AuditList:
    """The tenant's audit entries, newest first: by actor, event type, resource and time."""
    where = AuditFilter(actor_id, action, resource_type, resource_id, since)
    rows = await mpanel.audit.list(operator, where, page, page_size)
    return presenters.listing(AuditList, rows, presenters.audit, page, page_size)
