"""A VPS's backups as the read models show them (read-only)."""

from uuid import UUID

from psycopg.rows import class_row

from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.cloudvps.backups import BackupRow

SELECT = """
    SELECT id, instance_id, name, description, kind, status, size_bytes, requested_at,
        taken_at
    FROM views.backups
"""


class BackupViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def backups(self, instance_id: UUID) -> list[BackupRow]:
        return await self._db.all(
            class_row(BackupRow),
            SELECT + " WHERE instance_id = %s AND status <> 'deleted'"
            " ORDER BY requested_at DESC, id DESC",
            (instance_id,),
        )

    async def backup(self, instance_id: UUID, backup_id: UUID) -> BackupRow | None:
        return await self._db.one(
            class_row(BackupRow),
            SELECT + " WHERE instance_id = %s AND id = %s",
            (instance_id, backup_id),
        )
