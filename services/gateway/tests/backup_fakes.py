"""The backups read model in memory, for the gateway's unit tests."""

from dataclasses import dataclass, field
from uuid import UUID

from hostplane.gateway.application.cloudvps.backups import BackupRow


@dataclass
class FakeBackupReads:
    rows: dict[UUID, BackupRow] = field(default_factory=dict)

    async def backups(self, instance_id: UUID) -> list[BackupRow]:
        found = [r for r in self.rows.values() if r.instance_id == instance_id]
        return sorted(
            (r for r in found if r.status != "deleted"), key=lambda r: r.requested_at, reverse=True
        )

    async def backup(self, instance_id: UUID, backup_id: UUID) -> BackupRow | None:
        row = self.rows.get(backup_id)
        return row if row is not None and row.instance_id == instance_id else None
