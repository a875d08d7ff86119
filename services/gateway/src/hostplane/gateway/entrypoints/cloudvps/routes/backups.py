"""`/api/v1/vps/{id}/backups`: the signed-in customer's backups of their VPS — listed, taken
now, restored and deleted. Another user's VPS, or another VPS's backup, is 404."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends

from hostplane.contracts.catalog import Plan
from hostplane.contracts.cloudvps.backups import Backup, CreateBackupRequest
from hostplane.contracts.cloudvps.envelope import Deleted, Envelope
from hostplane.contracts.cloudvps.vps import Vps
from hostplane.gateway.application.cloudvps.backups import BackupRow, Backups
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(
    prefix="/api/v1/vps/{vps_id}/backups", tags=["backups"], route_class=EnvelopeRoute
)

# What a customer sees of each of a backup's states (`deleted` ones are not listed).
STATUS: dict[str, Literal["pending", "in_progress", "completed", "failed"]] = {
    "creating": "in_progress",
    "available": "completed",
    "failed": "failed",
    "deleting": "completed",
}
GB = 10**9


async def backups(gateway: GatewayDep) -> Backups:
    return gateway.cloudvps.backups


BackupsDep = Annotated[Backups, Depends(backups)]


def shown(row: BackupRow) -> Backup:
    """A backup in seed 003's shape: its size in GB, when it was asked for."""
    return Backup(
        id=str(row.id),
        name=row.name,
        description=row.description,
        size=round(row.size_bytes / GB, 2),
        size_unit="GB",
        type="automatic" if row.kind == "automatic" else "manual",
        status=STATUS.get(row.status, "failed"),
        created_at=row.taken_at or row.requested_at,
    )


@router.get(
    "",
    response_model=Envelope[list[Backup]],
    responses=refusals(401, 404),
)
async def list_backups(
    vps_id: UUID, caller: SignedIn, backups: BackupsDep
) -> Envelope[list[Backup]]:
    """The VPS's backups, newest first."""
    return Envelope(data=[shown(row) for row in await backups.list(caller, vps_id)])


@router.post(
    "",
    status_code=201,
    response_model=Envelope[Backup],
    responses=refusals(400, 401, 404, 409, 422),
)
async def create_backup(
    vps_id: UUID, body: CreateBackupRequest, caller: SignedIn, backups: BackupsDep
) -> Envelope[Backup]:
    """Back the VPS up now: answered while the provider takes it (`in_progress`)."""
    return Envelope(data=shown(await backups.create(caller, vps_id, body)))


@router.post(
    "/{backup_id}/restore",
    response_model=Envelope[Vps],
    responses=refusals(401, 404, 409, 502),
)
async def restore_backup(
    vps_id: UUID, backup_id: UUID, caller: SignedIn, backups: BackupsDep, gateway: GatewayDep
) -> Envelope[Vps]:
    """Restore the VPS from the backup: it is stopped while its disk is written (`restoring`),
    and runs again after."""
    row = await backups.restore(caller, vps_id, backup_id)
    return Envelope(data=presenters.vps(row, gateway.settings.plans[Plan(row.plan)]))


@router.delete("/{backup_id}", response_model=Envelope[Deleted], responses=refusals(401, 404, 409))
async def delete_backup(
    vps_id: UUID, backup_id: UUID, caller: SignedIn, backups: BackupsDep
) -> Envelope[Deleted]:
    """Delete the backup at the provider; answered once it is gone."""
    await backups.delete(caller, vps_id, backup_id)
    return Envelope(data=Deleted(id=str(backup_id)))
