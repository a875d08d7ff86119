"""How backup changes are written: one SQL statement each, in the caller's transaction."""

from collections.abc import Callable
from functools import cache
from typing import Any

from psycopg import Cursor, sql

from hostplane.metrics.domain.backup_projection import BackupAdded, BackupChanged


def _added(cur: Cursor[Any], change: BackupAdded) -> None:
    ev = change.requested
    cur.execute(
        """
        INSERT INTO backups (id, version, instance_id, name, description, kind, status,
            requested_at, updated_at)
        VALUES (%s, %s, %s, %s, %s, %s, 'creating', %s, %s)
        ON CONFLICT (id) DO NOTHING
        """,
        (
            ev.backup_id,
            change.version,
            ev.instance_id,
            ev.name,
            ev.description,
            ev.kind,
            ev.occurred_at,
            ev.occurred_at,
        ),
    )


@cache
def _update_of(columns: tuple[str, ...]) -> bytes:
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in columns
    )
    update = sql.SQL(
        "UPDATE backups SET {}, version = %(version)s, updated_at = %(at)s "
        "WHERE id = %(id)s AND version < %(version)s"
    )
    return update.format(assignments).as_bytes()


def _changed(cur: Cursor[Any], change: BackupChanged) -> None:
    cur.execute(
        _update_of(tuple(change.fields)),
        {**change.fields, "version": change.version, "at": change.at, "id": change.backup_id},
    )


BACKUP_WRITES: dict[type[Any], Callable[[Cursor[Any], Any], None]] = {
    BackupAdded: _added,
    BackupChanged: _changed,
}
