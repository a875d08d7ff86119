"""A VPS's backups as endpoints hear of them: `vps.backup.created` once the provider holds
one, `vps.backup.failed` when it could not take it, a restored VPS `vps.started`, and nothing
of the rest."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from hostplane.contracts import events as e
from hostplane.contracts.cloudvps.webhooks import WebhookEvent
from hostplane.contracts.payload import EventPayload
from hostplane.webhooks.domain.events import webhook_for

AT = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
TAKEN = datetime(2026, 3, 10, 9, 29, 12, tzinfo=UTC)


def test_a_backup_the_provider_holds_is_vps_backup_created_with_its_size_in_gb() -> None:
    instance_id, backup_id = uuid4(), uuid4()
    source = e.BackupCreated(
        occurred_at=AT,
        instance_id=instance_id,
        backup_id=backup_id,
        name="Pre-update backup",
        provider="hetzner",
        size_bytes=2_400_000_000,
        created_at=TAKEN,
    )
    webhook = webhook_for(source)
    assert webhook is not None
    assert webhook.payload.event is WebhookEvent.VPS_BACKUP_CREATED
    assert webhook.ordering_key == str(instance_id)  # in order with the VPS's other events
    assert webhook.payload.data == {
        "vps_id": str(instance_id),
        "backup_id": str(backup_id),
        "name": "Pre-update backup",
        "status": "completed",
        "size": 2.4,
        "size_unit": "GB",
        "created_at": "2026-03-10T09:29:12Z",
    }


def test_a_backup_the_provider_could_not_take_is_vps_backup_failed_with_why() -> None:
    instance_id, backup_id = uuid4(), uuid4()
    source = e.BackupFailed(
        occurred_at=AT,
        instance_id=instance_id,
        backup_id=backup_id,
        name="Nightly",
        error_code="BACKUP_FAILED",
        error_message="action_failed: the image could not be created",
    )
    webhook = webhook_for(source)
    assert webhook is not None
    assert webhook.payload.event is WebhookEvent.VPS_BACKUP_FAILED
    assert webhook.payload.data == {
        "vps_id": str(instance_id),
        "backup_id": str(backup_id),
        "name": "Nightly",
        "status": "failed",
        "error_code": "BACKUP_FAILED",
        "error_message": "action_failed: the image could not be created",
    }


def test_a_restored_vps_runs_again_and_is_vps_started() -> None:
    instance_id = uuid4()
    webhook = webhook_for(
        e.InstanceRestored(occurred_at=AT, instance_id=instance_id, backup_id=uuid4())
    )
    assert webhook is not None
    assert webhook.payload.event is WebhookEvent.VPS_STARTED
    assert webhook.payload.data == {"vps_id": str(instance_id), "status": "running"}


@pytest.mark.parametrize(
    "source",
    [
        e.BackupRequested(
            occurred_at=AT,
            instance_id=uuid4(),
            backup_id=uuid4(),
            name="b",
            description=None,
            kind="manual",
            job_id=uuid4(),
        ),
        e.BackupDeleted(occurred_at=AT, instance_id=uuid4(), backup_id=uuid4()),
        e.RestoreRequested(occurred_at=AT, instance_id=uuid4(), job_id=uuid4(), backup_id=uuid4()),
    ],
)
def test_requests_and_deletions_of_backups_stay_inside(source: EventPayload) -> None:
    assert webhook_for(source) is None
