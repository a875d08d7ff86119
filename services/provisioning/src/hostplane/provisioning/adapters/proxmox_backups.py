"""Backups at Proxmox VE: vzdump archives of the VM on its node's backup storage.

An archive's notes name its instance and its Backup (`hostplane hp-<instance> backup-<id>`);
the storage's content is searched for them before a dump is started, so a repeated step
finds the archive an earlier attempt wrote. A restore is qmrestore's: the VM is stopped, the
archive written over it under the same VMID (`POST /nodes/{node}/qemu` with `archive` and
`force=1`), and the VM started again. Archives outlive their VM at Proxmox; Hostplane
removes them when the instance is deleted, as Hetzner does with a server's backup images.
"""

from datetime import UTC, datetime
from uuid import UUID

from proxmoxer import ResourceException

from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.backups import BackupCopy
from hostplane.provisioning.adapters.proxmox_api import Guest, ProxmoxApi, reported, vm_name

BACKUP_STORAGE = "local"


def _notes(instance_id: UUID, backup_id: UUID, name: str) -> str:
    return f"hostplane {vm_name(instance_id)} backup-{backup_id}\n{name}"


def _is_of(item: dict[str, object], instance_id: UUID, backup_id: UUID | None = None) -> bool:
    words = str(item.get("notes") or "").split("\n", 1)[0].split()
    if vm_name(instance_id) not in words:
        return False
    return backup_id is None or f"backup-{backup_id}" in words


def _backup_id(item: dict[str, object]) -> UUID | None:
    for word in str(item.get("notes") or "").split("\n", 1)[0].split():
        if word.startswith("backup-"):
            return UUID(word.removeprefix("backup-"))
    return None


def _copy(item: dict[str, object]) -> BackupCopy:
    backup_id = _backup_id(item)
    assert backup_id is not None
    ctime = item.get("ctime")
    return BackupCopy(
        backup_id=backup_id,
        reference=str(item["volid"]),
        size_bytes=int(str(item.get("size") or 0)),
        taken_at=datetime.fromtimestamp(int(str(ctime)), UTC) if ctime else datetime.now(UTC),
    )


class ProxmoxBackups:
    """`ServerBackups` for `ProxmoxProvider`, which it is mixed into."""

    _api: ProxmoxApi

    def _require(self, instance_id: UUID) -> Guest:
        raise NotImplementedError

    def _shut_down(self, guest: Guest) -> None:
        raise NotImplementedError

    def _start(self, guest: Guest) -> None:
        raise NotImplementedError

    def ensure_backup(self, instance_id: UUID, backup_id: UUID, name: str) -> BackupCopy:
        """The backup's archive, found by its notes or dumped now (a live snapshot)."""
        with reported("BACKUP_FAILED"):
            found = self._archive(instance_id, backup_id)
            if found is None:
                guest = self._require(instance_id)
                self._api.run(
                    "POST",
                    f"nodes/{guest.node}/vzdump",
                    vmid=guest.vmid,
                    storage=BACKUP_STORAGE,
                    mode="snapshot",
                    compress="zstd",
                    **{"notes-template": _notes(instance_id, backup_id, name)},
                )
                found = self._archive(instance_id, backup_id)
            if found is None:
                raise ProviderError("BACKUP_FAILED", f"vzdump wrote no archive for {backup_id}")
            return _copy(found[1])

    def backups(self, instance_id: UUID) -> list[BackupCopy]:
        with reported("PROVIDER_UNREACHABLE"):
            return [_copy(item) for _, item in self._archives(instance_id)]

    def delete_backup(self, instance_id: UUID, backup_id: UUID) -> bool:
        with reported("BACKUP_DELETE_FAILED"):
            found = self._archive(instance_id, backup_id)
            if found is None:
                return False
            self._remove(*found)
            return True

    def restore_backup(self, instance_id: UUID, backup_id: UUID) -> None:
        """qmrestore over the VM, stopped for it, and started again."""
        with reported("RESTORE_FAILED"):
            found = self._archive(instance_id, backup_id)
            if found is None:
                raise ProviderError("BACKUP_NOT_FOUND", f"no archive for backup {backup_id}")
            node, item = found
            guest = self._require(instance_id)
            self._shut_down(guest)
            self._api.run(
                "POST",
                f"nodes/{node}/qemu",
                vmid=guest.vmid,
                archive=str(item["volid"]),
                force=1,
            )
            self._start(guest)

    def _remove_backups(self, instance_id: UUID) -> None:
        """Delete every archive of the instance (its VM is gone or going)."""
        for node, item in self._archives(instance_id):
            self._remove(node, item)

    def _remove(self, node: str, item: dict[str, object]) -> None:
        path = f"nodes/{node}/storage/{BACKUP_STORAGE}/content/{item['volid']}"
        try:
            answer = self._api.call("DELETE", path)
        except ResourceException as error:
            if "does not exist" in str(error):
                return  # another delete was quicker
            raise
        if isinstance(answer, str) and answer.startswith("UPID:"):
            self._api.wait_task(answer)

    def _archive(self, instance_id: UUID, backup_id: UUID) -> tuple[str, dict[str, object]] | None:
        found = (
            (node, item)
            for node, item in self._archives(instance_id)
            if _is_of(item, instance_id, backup_id)
        )
        return next(found, None)

    def _archives(self, instance_id: UUID) -> list[tuple[str, dict[str, object]]]:
        """The instance's archives on every online node, oldest first."""
        found: list[tuple[str, dict[str, object]]] = []
        for node in self._api.call("GET", "nodes"):
            if node.get("status") != "online":
                continue
            listed = self._api.call(
                "GET", f"nodes/{node['node']}/storage/{BACKUP_STORAGE}/content", content="backup"
            )
            found += [(node["node"], item) for item in listed if _is_of(item, instance_id)]
        return sorted(found, key=lambda pair: int(str(pair[1].get("ctime") or 0)))
