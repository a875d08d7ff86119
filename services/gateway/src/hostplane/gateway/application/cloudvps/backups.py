"""A customer's backups of their VPS: listed from the read models, taken and deleted through
provisioning (`CreateBackup`, `DeleteBackup` on provisioning.commands, waited for through
their job). Another user's VPS, or a backup of another VPS, is not found (404)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from hostplane.contracts.cloudvps.backups import CreateBackupRequest
from hostplane.contracts.commands import provisioning
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.application.cloudvps.servers import Servers
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import NotFound


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

    async def delete(self, caller: Caller, vps_id: UUID, backup_id: UUID) -> None:
        """Delete the backup at the provider; answers once it is gone."""
        await self._backup(caller, vps_id, backup_id)
        command = provisioning.DeleteBackup(instance_id=vps_id, backup_id=backup_id)
        await self.servers.commands.run(PROVISIONING_COMMANDS, vps_id, command)

    async def _backup(self, caller: Caller, vps_id: UUID, backup_id: UUID) -> BackupRow:
        await self.servers.get(caller, vps_id)
        row = await self.reads.backup(vps_id, backup_id)
        if row is None or row.status == "deleted":
            raise NotFound("Backup not found")
        return row
