"""Backups through provisioning's use cases and saga steps, on in-memory persistence with a
fake provider: taken once, restored as an operation of the instance, refused when they are
another instance's, missing, or still being taken."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from hostplane.contracts.commands import provisioning as commands
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.backups import BackupCopy
from hostplane.provisioning.application import Provisioning, handle_command
from hostplane.provisioning.application.backups import take_backup
from hostplane.provisioning.bootstrap import bootstrap
from hostplane.provisioning.domain.backup import BackupStatus
from hostplane.provisioning.settings import Settings
from services.provisioning.tests.unit.test_saga import (
    FakeProvider,
    Offsets,
    active,
    create,
    outcome,
    ready,
    run_saga,
    send,
)


@dataclass
class FakeBackupProvider(FakeProvider):
    """The fake provider, keeping backups by id and the restores it was asked for."""

    copies: dict[UUID, BackupCopy] = field(default_factory=dict)
    restored: list[UUID] = field(default_factory=list)
    fail_backup: ProviderError | None = None

    def ensure_backup(self, instance_id: UUID, backup_id: UUID, name: str) -> BackupCopy:
        if self.fail_backup:
            raise self.fail_backup
        return self.copies.setdefault(
            backup_id, BackupCopy(backup_id, f"image-{len(self.copies)}", 10**9, datetime.now(UTC))
        )

    def backups(self, instance_id: UUID) -> list[BackupCopy]:
        return list(self.copies.values())

    def delete_backup(self, instance_id: UUID, backup_id: UUID) -> bool:
        return self.copies.pop(backup_id, None) is not None

    def restore_backup(self, instance_id: UUID, backup_id: UUID) -> None:
        self.restored.append(backup_id)


@pytest.fixture
def provider() -> FakeBackupProvider:
    return FakeBackupProvider()


@pytest.fixture
def app(provider: FakeBackupProvider) -> Provisioning:
    settings = Settings(
        event_store="memory",
        hetzner_api_token="t",
        public_api_url="http://gw",
        instance_token_secret="s3cret",
    )
    return bootstrap(settings, providers={"hetzner": provider})


def backed_up(app: Provisioning, at: Offsets, instance_id: UUID, take: bool = True) -> UUID:
    backup_id = uuid4()
    send(app, at, commands.CreateBackup(instance_id=instance_id, backup_id=backup_id, name="b"))
    if take:
        take_backup(app, backup_id, at())
    return backup_id


def test_a_backup_taken_twice_is_one_copy(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    backup_id = backed_up(app, at, instance_id)
    take_backup(app, backup_id, at())  # the saga's step delivered again
    assert list(provider.copies) == [backup_id]
    assert app.repository.get(backup_id).status is BackupStatus.AVAILABLE


def test_a_restore_writes_the_backup_back_and_its_job_ends_with_the_server_running(
    app, provider
) -> None:
    at = Offsets()
    instance_id = active(app, at)
    backup_id = backed_up(app, at, instance_id)
    job_id = send(app, at, commands.RestoreBackup(instance_id=instance_id, backup_id=backup_id))
    assert outcome(app, job_id)[0] == "running"
    run_saga(app, instance_id, at)
    assert provider.restored == [backup_id]
    assert outcome(app, job_id)[0] == "succeeded"
    assert app.repository.get(instance_id).running


def test_a_restore_command_delivered_again_restores_once(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    backup_id = backed_up(app, at, instance_id)
    command = commands.RestoreBackup(instance_id=instance_id, backup_id=backup_id)
    job_id = uuid4()
    handle_command(app, command, job_id, at())
    handle_command(app, command, job_id, at())
    run_saga(app, instance_id, at)
    assert provider.restored == [backup_id]


def test_another_instances_backup_or_none_is_not_found(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    other = backed_up(app, at, instance_id)
    second = second_instance(app, at)
    for backup_id in (other, uuid4()):
        job_id = send(app, at, commands.RestoreBackup(instance_id=second, backup_id=backup_id))
        assert outcome(app, job_id)[0].startswith("failed NOT_FOUND")
    assert app.repository.get(second).pending is None and provider.restored == []


def test_a_backup_still_being_taken_is_a_conflict(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    backup_id = backed_up(app, at, instance_id, take=False)
    job_id = send(app, at, commands.RestoreBackup(instance_id=instance_id, backup_id=backup_id))
    assert outcome(app, job_id)[0] == "failed CONFLICT: Backup is creating"
    assert app.repository.get(instance_id).pending is None


def test_a_provider_that_cannot_take_the_backup_fails_it(app, provider) -> None:
    at = Offsets()
    instance_id = active(app, at)
    provider.fail_backup = ProviderError("BACKUP_FAILED", "action_failed")
    backup_id = backed_up(app, at, instance_id)
    backup = app.repository.get(backup_id)
    assert (backup.status, backup.error_code) == (BackupStatus.FAILED, "BACKUP_FAILED")
    job_id = send(app, at, commands.RestoreBackup(instance_id=instance_id, backup_id=backup_id))
    assert outcome(app, job_id)[0] == "failed CONFLICT: Backup is failed"


def second_instance(app: Provisioning, at: Offsets) -> UUID:
    instance_id, _ = create(app, at(), service_id=5001, subdomain="second")
    app.provision_server(instance_id, at())
    app.record_dns(instance_id, "rec-2", "second.hostplane.test", "cloudflare", at())
    ready(app, instance_id, at())
    return instance_id
