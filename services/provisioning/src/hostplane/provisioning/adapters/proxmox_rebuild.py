"""Rebuilding a VM at Proxmox VE from a template's image, as an operator does it with the API.

The operating systems are template VMs named after them (`ubuntu-24.04`, `debian-12`, ...).
The VM is stopped and its boot disk made anew as a copy of the template's (`POST
/nodes/{node}/qemu/{vmid}/config` with `scsi0: <storage>:0,import-from=<template volume>`,
Proxmox VE 7.2+, a task). Proxmox keeps the disk it replaces as `unusedN`; deleting that entry
deletes the volume. The new disk is grown to the size of the largest disk the VM has (the
unused ones' sizes read from their storage) before any unused disk is deleted, so a rebuild
repeated after a failure at any step finds the size again and ends with one disk. A new
NoCloud seed letting in the SSH keys replaces the instance's seed in the CD drive (cloud-init
runs again on the fresh disk's first boot), and the VM is started.
"""

import math
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.cloudinit import ssh_keys_user_data
from hostplane.provisioning.adapters.proxmox_api import Guest, ProxmoxApi, reported, vm_name

BOOT_DISK = "scsi0"
SEED_DRIVE = "ide2"


def _volume(drive: object) -> str:
    """The volume ID of a drive's config value (`local-lvm:vm-100-disk-0,size=40G`)."""
    return str(drive).split(",", 1)[0]


class ProxmoxRebuilds:
    """`rebuild` for `ProxmoxProvider`, which it is mixed into."""

    _api: ProxmoxApi
    _seed_storage: str

    def _require(self, instance_id: UUID) -> Guest:
        raise NotImplementedError

    def _start(self, guest: Guest) -> None:
        raise NotImplementedError

    def _seed_volumes(self, node: str) -> set[str]:
        raise NotImplementedError

    def _upload(self, node: str, filename: str, instance_id: UUID, user_data: str) -> None:
        raise NotImplementedError

    def _grow_disk(self, guest: Guest, config: Mapping[str, Any], disk_gb: int) -> None:
        raise NotImplementedError

    def rebuild(self, instance_id: UUID, image: str, ssh_keys: list[str]) -> None:
        """The VM's disk imported anew from the template named `image` (its size kept), a
        seed letting in `ssh_keys`, and the VM running again; an unknown image changes
        nothing."""
        with reported("REBUILD_FAILED"):
            source = self._image_volume(image)
            guest = self._require(instance_id)
            self._stop(guest)
            config = self._api.call("GET", f"{guest.path}/config")
            size_gib = self._largest_disk_gib(guest, config)
            storage = _volume(config.get(BOOT_DISK) or source).partition(":")[0]
            self._api.run(
                "POST",
                f"{guest.path}/config",
                **{BOOT_DISK: f"{storage}:0,import-from={source}"},
            )
            config = self._api.call("GET", f"{guest.path}/config")
            self._grow_disk(guest, config, math.ceil(size_gib))
            unused = sorted(key for key in config if key.startswith("unused"))
            if unused:
                self._api.call("PUT", f"{guest.path}/config", delete=",".join(unused))
            self._reseed(guest, instance_id, ssh_keys_user_data(ssh_keys))
            self._start(guest)

    def _image_volume(self, image: str) -> str:
        """The boot disk's volume of the template VM named `image`."""
        template = next(
            (guest for guest in self._api.guests() if guest.template and guest.name == image),
            None,
        )
        if template is None:
            raise ProviderError("REBUILD_FAILED", f"no template VM named {image}")
        config = self._api.call("GET", f"{template.path}/config")
        if BOOT_DISK not in config:
            raise ProviderError("REBUILD_FAILED", f"template VM {template.vmid} has no disk")
        return _volume(config[BOOT_DISK])

    def _stop(self, guest: Guest) -> None:
        """Stopped at once: what runs on the disk is about to be discarded."""
        if self._api.current(guest)["status"] != "stopped":
            self._api.run("POST", f"{guest.path}/status/stop")

    def _largest_disk_gib(self, guest: Guest, config: Mapping[str, Any]) -> float:
        """GiB of the VM's largest disk: the boot disk, or one an earlier attempt replaced."""
        volumes = [_volume(config[BOOT_DISK])] if BOOT_DISK in config else []
        volumes += [_volume(value) for key, value in config.items() if key.startswith("unused")]
        sizes = [
            int(self._api.call("GET", self._content_path(guest.node, volume))["size"])
            for volume in volumes
        ]
        return max(sizes, default=0) / 2**30

    def _content_path(self, node: str, volume: str) -> str:
        return f"nodes/{node}/storage/{volume.partition(':')[0]}/content/{volume}"

    def _reseed(self, guest: Guest, instance_id: UUID, user_data: str) -> None:
        """The instance's seed on the VM's node written anew with `user_data`, in its CD
        drive."""
        filename = f"{vm_name(instance_id)}-cidata.iso"
        volume = f"{self._seed_storage}:iso/{filename}"
        if volume in self._seed_volumes(guest.node):
            answer = self._api.call("DELETE", self._content_path(guest.node, volume))
            if isinstance(answer, str) and answer.startswith("UPID:"):
                self._api.wait_task(answer)
        self._upload(guest.node, filename, instance_id, user_data)
        self._api.call("PUT", f"{guest.path}/config", **{SEED_DRIVE: f"{volume},media=cdrom"})
