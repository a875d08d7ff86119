"""Backups: the commands that ask for them, and the saga steps that act at the provider.

A backup is taken, and deleted, in a step on its own event (`vps.backup.requested`,
`vps.backup.deletion_requested`) rather than in the command's handler: the command is stored
at once with its job, and the provider call that may take minutes runs where a crash resumes
it. The steps are safe to repeat, as the provider calls are. A restore is an operation of the
instance (`Operation.RESTORE`), queued with its others; its handler checks that the backup
can be restored, and the saga's step for the operation has the provider write it back.
"""

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.vps import InstanceStatus
from hostplane.messaging.eventstore import Position
from hostplane.messaging.jobs import Job
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.application.service import Provisioning
from hostplane.provisioning.domain.backup import Backup, BackupStatus
from hostplane.provisioning.domain.instance import Instance
from hostplane.provisioning.domain.operations import Operation, TransitionRefused, state_message

# An instance whose server exists: it can be backed up.
BACKED_UP_FROM = frozenset({InstanceStatus.ACTIVE, InstanceStatus.SUSPENDED})


def backup(app: Provisioning, backup_id: UUID) -> Backup | None:
    try:
        found: Backup = app.repository.get(backup_id)
    except AggregateNotFoundError:
        return None
    return found


def backup_of(app: Provisioning, instance: Instance, backup_id: UUID) -> Backup:
    """The instance's backup; another instance's, or none, is NOT_FOUND."""
    found = backup(app, backup_id)
    if found is None or found.instance_id != instance.id or found.status is BackupStatus.DELETED:
        raise TransitionRefused(f"backup {backup_id} does not exist", code="NOT_FOUND")
    return found


def create_backup(
    app: Provisioning, instance: Instance, command: commands.CreateBackup, job: Job
) -> list[Aggregate | None]:
    """A backup in `creating`; the saga has the provider take it."""
    if instance.status not in BACKED_UP_FROM:
        raise TransitionRefused(state_message(instance.status), code="CONFLICT")
    existing = backup(app, command.backup_id)
    if existing is None:
        existing = Backup(
            backup_id=command.backup_id,
            instance_id=instance.id,
            provider=instance.provider,
            name=command.name,
            description=command.description,
            kind="manual",
            job_id=job.id,
        )
    job.succeed({"backup_id": str(existing.id), "status": existing.status.value})
    return [existing]


def delete_backup(
    app: Provisioning, instance: Instance, command: commands.DeleteBackup, job: Job
) -> list[Aggregate | None]:
    """Ask for the backup's removal; its job ends when the provider removed it."""
    found = backup_of(app, instance, command.backup_id)
    if not found.request_deletion(job.id):
        job.succeed({"backup_id": str(found.id), "status": BackupStatus.DELETED.value})
    return [found]


def restore_backup(
    app: Provisioning, instance: Instance, command: commands.RestoreBackup, job: Job
) -> list[Aggregate | None]:
    """Queue the restore of one of the instance's available backups; its job ends when the
    provider wrote the disk back and the server runs again."""
    check_restorable(app, instance, command.backup_id)
    outcomes = instance.request(Operation.RESTORE, job.id, backup_id=command.backup_id)
    return [*app.close_jobs(outcomes, job)]


def take_backup(app: Provisioning, backup_id: UUID, position: Position | None) -> None:
    """Have the provider take the backup (found if an earlier attempt did), or fail it."""
    found = backup(app, backup_id)
    instance = app.instance(found.instance_id) if found else None
    if found is None or instance is None or found.status is not BackupStatus.CREATING:
        app.save_tracked(position=position)
        return
    try:
        copy = app.provider_for(instance).ensure_backup(instance.id, found.id, found.name)
    except ProviderError as error:
        found.fail(error.code, error.message)
    else:
        found.record_taken(copy.size_bytes, copy.taken_at)
    app.save_tracked(found, position=position)


def remove_backup(
    app: Provisioning, backup_id: UUID, job_id: UUID, position: Position | None
) -> None:
    """Have the provider delete the backup for job `job_id`; the job ends with it."""
    found = backup(app, backup_id)
    instance = app.instance(found.instance_id) if found else None
    job = app.job(job_id)
    if (
        found is None
        or instance is None
        or found.status is not BackupStatus.DELETING
        or found.deletion_job_id != job_id
    ):
        app.save_tracked(position=position)
        return
    try:
        app.provider_for(instance).delete_backup(instance.id, found.id)
    except ProviderError as error:
        found.deletion_failed(error.code, error.message)
        if job is not None:
            job.fail(error.code, error.message)
    else:
        found.record_deleted()
        if job is not None:
            job.succeed({"backup_id": str(found.id), "status": BackupStatus.DELETED.value})
    app.save_tracked(found, job, position=position)


def check_restorable(app: Provisioning, instance: Instance, backup_id: UUID) -> None:
    """Raises TransitionRefused: NOT_FOUND for another's backup or none, CONFLICT for one
    that is not available (still being taken, failed, being deleted)."""
    backup_of(app, instance, backup_id).check_restorable()
