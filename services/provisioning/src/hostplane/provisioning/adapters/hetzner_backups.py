"""Backups at Hetzner Cloud: images of type `backup`, bound to the server they copy.

Hetzner takes a backup image only of a server whose backup option is on; it is enabled
first, once. The image is labelled with its instance and its Backup's id, and is looked up
by that label before one is created. A backup image is deleted with its server. A restore is
Hetzner's rebuild from the image: the server is stopped, its disk written, and it boots again.
"""

import time
from datetime import UTC, datetime
from uuid import UUID

import requests
from hcloud import APIException, Client
from hcloud.actions import ActionFailedException, ActionTimeoutException, BoundAction
from hcloud.images import BoundImage, Image
from hcloud.servers import BoundServer

from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.backups import BackupCopy

BACKUP_LABEL = "hostplane.io/backup-id"
INSTANCE_LABEL = "hostplane.io/instance-id"
GB = 10**9


def _copy(image: BoundImage) -> BackupCopy:
    labels = image.labels or {}
    assert image.id is not None
    return BackupCopy(
        backup_id=UUID(labels[BACKUP_LABEL]),
        reference=str(image.id),
        size_bytes=round((image.image_size or 0) * GB),
        taken_at=image.created or datetime.now(UTC),
    )


class HetznerBackups:
    """`ServerBackups` for `HetznerProvider`, which it is mixed into."""

    _client: Client
    _poll_interval_s: float
    _boot_timeout_s: float

    def _require(self, instance_id: UUID) -> BoundServer:
        raise NotImplementedError

    def _wait(self, action: BoundAction | None) -> None:
        raise NotImplementedError

    def power_on(self, instance_id: UUID) -> None:
        raise NotImplementedError

    def ensure_backup(self, instance_id: UUID, backup_id: UUID, name: str) -> BackupCopy:
        """The backup image, found by its label or created; waits until it is available."""
        try:
            image = self._backup_image(backup_id)
            if image is None:
                image = self._create_image(instance_id, backup_id, name)
            elif image.status == "creating":
                self._wait_available(image)
            assert image.id is not None
            return _copy(self._client.images.get_by_id(image.id))
        except (ActionFailedException, ActionTimeoutException) as error:
            self.delete_backup(instance_id, backup_id)  # nothing of a failed copy is kept
            raise ProviderError("BACKUP_FAILED", str(error)) from error
        except APIException as error:
            raise ProviderError("BACKUP_FAILED", f"{error.code}: {error.message}") from error
        except requests.RequestException as error:
            raise ProviderError("PROVIDER_UNREACHABLE", str(error)) from error
        except ProviderError as error:
            raise ProviderError("BACKUP_FAILED", error.message) from error

    def _create_image(self, instance_id: UUID, backup_id: UUID, name: str) -> BoundImage:
        server = self._require(instance_id)
        if server.backup_window is None:
            self._wait(self._client.servers.enable_backup(server))
        created = self._client.servers.create_image(
            server,
            description=name,
            type="backup",
            labels={INSTANCE_LABEL: str(instance_id), BACKUP_LABEL: str(backup_id)},
        )
        self._wait(created.action)
        return created.image

    def _wait_available(self, image: BoundImage) -> None:
        """An image an earlier attempt began: wait until Hetzner has finished it."""
        assert image.id is not None
        deadline = time.monotonic() + self._boot_timeout_s
        while self._client.images.get_by_id(image.id).status == "creating":
            if time.monotonic() > deadline:
                raise ProviderError("BACKUP_FAILED", f"image {image.id} is still being created")
            time.sleep(self._poll_interval_s)

    def backups(self, instance_id: UUID) -> list[BackupCopy]:
        images = self._client.images.get_all(
            type=["backup"], label_selector=f"{INSTANCE_LABEL}={instance_id},{BACKUP_LABEL}"
        )
        return [_copy(image) for image in images if image.status == "available"]

    def delete_backup(self, instance_id: UUID, backup_id: UUID) -> bool:
        image = self._backup_image(backup_id)
        if image is None:
            return False
        try:
            return bool(self._client.images.delete(image))
        except APIException as error:
            if error.code == "not_found":
                return False
            raise ProviderError("BACKUP_DELETE_FAILED", f"{error.code}: {error.message}") from error

    def restore_backup(self, instance_id: UUID, backup_id: UUID) -> None:
        """Rebuild the server from the backup image (Hetzner stops it for that), then make
        sure it runs: a server its customer had stopped runs again once restored."""
        image = self._backup_image(backup_id)
        if image is None:
            raise ProviderError("BACKUP_NOT_FOUND", f"no backup image for backup {backup_id}")
        try:
            server = self._require(instance_id)
            rebuilt = self._client.servers.rebuild(server, Image(id=image.id))
            self._wait(rebuilt.action)
        except APIException as error:
            raise ProviderError("RESTORE_FAILED", f"{error.code}: {error.message}") from error
        self.power_on(instance_id)

    def _backup_image(self, backup_id: UUID) -> BoundImage | None:
        images = self._client.images.get_all(
            type=["backup"], label_selector=f"{BACKUP_LABEL}={backup_id}"
        )
        return next((image for image in images if image.status != "unavailable"), None)
