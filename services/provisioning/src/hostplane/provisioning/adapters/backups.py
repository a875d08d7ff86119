"""The `ServerBackups` port: copies of a server's disk kept at its provider.

Hetzner Cloud keeps them as images of type `backup` bound to the server (`hetzner_backups.py`),
Proxmox VE as vzdump archives on a node's storage (`proxmox_backups.py`). Every copy carries
the id of its Backup aggregate (an image label, the archive's notes), and every method is
safe to repeat: taking a backup first looks for the copy an earlier attempt made, deleting
is "make sure it is gone", and a restore writes the same disk again.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class BackupCopy:
    """A backup as its provider holds it."""

    backup_id: UUID
    reference: str  # the provider's name for it: an image id, an archive's volume id
    size_bytes: int
    taken_at: datetime


class ServerBackups(Protocol):
    def ensure_backup(self, instance_id: UUID, backup_id: UUID, name: str) -> BackupCopy:
        """The backup's copy: found by its id, or taken now (once); waits until it is whole.

        Raises ProviderError (BACKUP_FAILED) when the provider could not take it."""
        ...

    def backups(self, instance_id: UUID) -> list[BackupCopy]:
        """The instance's backups at the provider."""
        ...

    def delete_backup(self, instance_id: UUID, backup_id: UUID) -> bool:
        """Make sure the backup's copy is gone; True if this call deleted it."""
        ...

    def restore_backup(self, instance_id: UUID, backup_id: UUID) -> None:
        """Write the server's disk back from the backup: the server is stopped while it is
        written, and runs again after."""
        ...
