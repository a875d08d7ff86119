"""The Backup aggregate: one copy of an instance's disk kept at its provider.

creating → available | failed; available → deleting → deleted (or back to available when
the provider could not delete it). Its id is the one its command chose, and the provider's
copy carries it (Hetzner: an image label; Proxmox: the dump's notes), so a step repeated
after a crash finds the copy an earlier attempt made instead of taking a second one.

A backup can be restored while it is available; the restore itself is an operation of the
instance (`Operation.RESTORE`), queued with its other operations.
"""

from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hostplane.provisioning.domain.operations import TransitionRefused


class BackupStatus(StrEnum):
    CREATING = "creating"
    AVAILABLE = "available"
    FAILED = "failed"
    DELETING = "deleting"
    DELETED = "deleted"


class BackupNotRestorable(TransitionRefused):
    """The backup cannot be restored (or deleted) in its state."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="CONFLICT")


def _now() -> datetime:
    return datetime.now(UTC)


class Backup(Aggregate):
    @staticmethod
    def create_id(backup_id: UUID, **_: object) -> UUID:
        return backup_id

    @event("Requested")
    def __init__(
        self,
        *,
        backup_id: UUID,
        instance_id: UUID,
        provider: str,
        name: str,
        description: str | None,
        kind: str,
        job_id: UUID | None,
    ) -> None:
        self.instance_id = instance_id
        self.provider = provider
        self.name = name
        self.description = description
        self.kind = kind
        self.status = BackupStatus.CREATING
        self.size_bytes = 0
        self.taken_at: datetime | None = None
        self.deletion_job_id: UUID | None = None
        self.error_code: str | None = None

    def record_taken(self, size_bytes: int, taken_at: datetime) -> None:
        """The provider holds the copy."""
        if self.status is BackupStatus.CREATING:
            self._taken(
                instance_id=self.instance_id,
                name=self.name,
                provider=self.provider,
                size_bytes=size_bytes,
                taken_at=taken_at,
            )

    # Events carry the instance (and a backup's name): each is published on its own.
    @event("Taken")
    def _taken(
        self, instance_id: UUID, name: str, provider: str, size_bytes: int, taken_at: datetime
    ) -> None:
        self.status = BackupStatus.AVAILABLE
        self.size_bytes = size_bytes
        self.taken_at = taken_at

    def fail(self, code: str, message: str) -> None:
        """The provider could not take the copy (nothing of it is left there)."""
        if self.status is BackupStatus.CREATING:
            self._failed(instance_id=self.instance_id, name=self.name, code=code, message=message)

    @event("Failed")
    def _failed(self, instance_id: UUID, name: str, code: str, message: str) -> None:
        self.status = BackupStatus.FAILED
        self.error_code = code

    def check_restorable(self) -> None:
        """Raises BackupNotRestorable unless the copy is there to restore from."""
        if self.status is not BackupStatus.AVAILABLE:
            raise BackupNotRestorable(f"Backup is {self.status.value}")

    def request_deletion(self, job_id: UUID) -> bool:
        """Ask for the copy to go as job `job_id`; False when there is nothing to do (it is
        deleted already, or never existed because taking it failed)."""
        if self.status in (BackupStatus.DELETED, BackupStatus.FAILED):
            return False
        if self.status is not BackupStatus.AVAILABLE:
            raise BackupNotRestorable(f"Backup is {self.status.value}")
        self._deletion_requested(instance_id=self.instance_id, job_id=job_id)
        return True

    @event("DeletionRequested")
    def _deletion_requested(self, instance_id: UUID, job_id: UUID) -> None:
        self.status = BackupStatus.DELETING
        self.deletion_job_id = job_id

    def record_deleted(self) -> None:
        """The provider no longer holds the copy."""
        if self.status is BackupStatus.DELETING:
            self._deleted(instance_id=self.instance_id, timestamp=_now())

    @event("Deleted")
    def _deleted(self, instance_id: UUID, timestamp: datetime) -> None:
        self.status = BackupStatus.DELETED

    def deletion_failed(self, code: str, message: str) -> None:
        """The provider could not delete the copy: it is still there."""
        if self.status is BackupStatus.DELETING:
            self._deletion_failed(instance_id=self.instance_id, code=code, message=message)

    @event("DeletionFailed")
    def _deletion_failed(self, instance_id: UUID, code: str, message: str) -> None:
        self.status = BackupStatus.AVAILABLE
