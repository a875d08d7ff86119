"""A customer's backups of their VPS: listed from the read models, taken, restored and deleted
through provisioning (`CreateBackup`, `RestoreBackup`, `DeleteBackup` on
provisioning.commands, waited for through their job). Another user's VPS, or a backup of
another VPS, is not found (404); whether a backup can be restored (not while it is still
being taken: CONFLICT) is provisioning's to judge."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from hostplane.contracts.cloudvps.backups import CreateBackupRequest
from hostplane.contracts.commands import provisioning
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.application.cloudvps.servers import Servers, VpsRow
from hostplane.gateway.application.jobs import JobPending
from hostplane.gateway.application.mpanel.commands import ViewLagging
from hostplane.gateway.application.readmodels import JobRow
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import Conflict, JobFailed, NotFound


@dataclass(frozen=True)
class BackupRow:
    id: UUID
    instance_id: UUID
    name: str
    description: str | None
    kind: str  # manual | automatic
    status: str  # creating | available | failed | deleting | deleted
    size_bytes: int
    requested_at: datetime
    taken_at: datetime | None


class BackupReads(Protocol):
    async def backups(self, instance_id: UUID) -> list[BackupRow]:
        """The VPS's backups but the deleted ones, newest first."""
        ...

    async def backup(self, instance_id: UUID, backup_id: UUID) -> BackupRow | None: ...


@dataclass(frozen=True)
class Backups:
    servers: Servers
    reads: BackupReads

    async def list(self, caller: Caller, vps_id: UUID) -> list[BackupRow]:
        await self.servers.get(caller, vps_id)
        return await self.reads.backups(vps_id)

    async def create(self, caller: Caller, vps_id: UUID, request: CreateBackupRequest) -> BackupRow:
        """Back the VPS up now; answers the backup as soon as it is being taken."""
        await self.servers.get(caller, vps_id)
        command = provisioning.CreateBackup(
            instance_id=vps_id,
            backup_id=uuid4(),
            name=request.name,
            description=request.description,
        )
        commands = self.servers.commands
        job = await commands.run(PROVISIONING_COMMANDS, vps_id, command)
        return await commands.shown(job.id, lambda: self.reads.backup(vps_id, command.backup_id))

    async def restore(self, caller: Caller, vps_id: UUID, backup_id: UUID) -> VpsRow:
        """Write the VPS's disk back from the backup: answers the VPS once it runs again, or
        as it is (`restoring`, stopped) when the restore outlives the wait."""
        vps = await self.servers.get(caller, vps_id)
        await self._backup(vps_id, backup_id)
        command = provisioning.RestoreBackup(instance_id=vps_id, backup_id=backup_id)
        commands = self.servers.commands
        try:
            job = await commands.jobs.outcome(PROVISIONING_COMMANDS, vps_id, command)
        except JobPending:
            return await self.servers.get(caller, vps_id)
        if job.status == "failed":
            raise refusal_of(job)
        try:
            return await commands.shown(
                job.id,
                lambda: self.servers.reads.server(vps.tenant_id, vps.customer_id, vps_id),
                lambda row: row.pending_operation is None,
            )
        except ViewLagging:
            return await self.servers.get(caller, vps_id)

    async def delete(self, caller: Caller, vps_id: UUID, backup_id: UUID) -> None:
        """Delete the backup at the provider; answers once it is gone."""
        await self.servers.get(caller, vps_id)
        await self._backup(vps_id, backup_id)
        command = provisioning.DeleteBackup(instance_id=vps_id, backup_id=backup_id)
        await self.servers.commands.run(PROVISIONING_COMMANDS, vps_id, command)

    async def _backup(self, vps_id: UUID, backup_id: UUID) -> BackupRow:
        row = await self.reads.backup(vps_id, backup_id)
        if row is None or row.status == "deleted":
            raise NotFound("Backup not found")
        return row


def refusal_of(job: JobRow) -> NotFound | Conflict | JobFailed:
    """Why provisioning refused a restore: the backup is not the VPS's (NOT_FOUND), it or the
    VPS is in a state that cannot (CONFLICT), or the provider failed it."""
    message = job.error_message or "The restore failed"
    if job.error_code == "NOT_FOUND":
        return NotFound("Backup not found")
    if job.error_code in ("CONFLICT", "INVALID_STATE"):
        return Conflict(message, {"status": job.met_status} if job.met_status else None)
    return JobFailed(message, code=job.error_code or "JOB_FAILED")
