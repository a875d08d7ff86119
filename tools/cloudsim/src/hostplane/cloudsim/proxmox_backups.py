"""Proxmox VE's backups: vzdump (`POST /nodes/{node}/vzdump`) writes an archive of a VM to a
storage holding backups, listed in its content (`content=backup`, with `vmid`, `notes`,
`subtype`), deleted as any volume, and restored by qmrestore (`POST /nodes/{node}/qemu`
with `archive`, and `force=1` to write over an existing VM, which must be stopped).

An archive is kept as a volume of the cluster (so the storage routes of `proxmox.py` delete
it): its bytes are the VM's config and the archive's notes, as JSON. Mounted before the
routes of `proxmox.py`, whose content listing it extends with what a backup shows.
"""

import json
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hostplane.cloudsim.proxmox import STORAGES, Proxmox
from hostplane.cloudsim.proxmox_guests import disk_bytes
from hostplane.cloudsim.proxmox_wire import data, error, form, refused_parameters

# What an archive weighs of its VM's disk (compressed, the used part only).
ARCHIVE_SHARE = 0.08


def _archive(volume: bytes) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(volume)
    return parsed


class ProxmoxBackups:
    def __init__(self, proxmox: Proxmox) -> None:
        self.proxmox = proxmox
        self.router = APIRouter()
        self._routes()

    def _volume_name(self, node: str, storage: str, vmid: int) -> str:
        """`vzdump-qemu-<vmid>-<date>.vma.zst`, a second later if that one is taken."""
        moment = int(time.time())
        while True:
            stamp = datetime.fromtimestamp(moment, UTC).strftime("%Y_%m_%d-%H_%M_%S")
            volid = f"{storage}:backup/vzdump-qemu-{vmid}-{stamp}.vma.zst"
            if f"{node}/{volid}" not in self.proxmox.cluster.volumes:
                return volid
            moment += 1

    def _listed(self, node: str, storage: str) -> list[dict[str, Any]]:
        items = []
        for item in self.proxmox.stored(node, storage):
            if item["content"] == "backup":
                archive = _archive(self.proxmox.cluster.volumes[f"{node}/{item['volid']}"])
                item = item | {
                    "format": "vma.zst",
                    "subtype": "qemu",
                    "vmid": archive["vmid"],
                    "notes": archive["notes"],
                    "size": archive["size"],
                    "ctime": archive["ctime"],
                }
            items.append(item)
        return items

    def _routes(self) -> None:
        r, proxmox = self.router, self.proxmox

        @r.post("/nodes/{node}/vzdump")
        async def vzdump(node: str, request: Request) -> Any:
            params = (await form(request)).fields
            refused = refused_parameters(params, required=("vmid",), integers=("vmid",))
            if refused is not None:
                return refused
            storage = params.get("storage", "local")
            refused = proxmox.storage_refused(node, storage)
            if refused is not None:
                return refused
            if "backup" not in STORAGES[storage]:
                return error(500, f"storage '{storage}' does not support backups")
            vm = proxmox.vm(node, int(params["vmid"]))
            if isinstance(vm, JSONResponse):
                return vm
            volid = self._volume_name(node, storage, vm.vmid)
            notes = (
                params.get("notes-template", "{{guestname}}")
                .replace("{{guestname}}", vm.config.get("name", ""))
                .replace("{{vmid}}", str(vm.vmid))
                .replace("{{node}}", node)
            )
            disk = disk_bytes(vm.config.get("scsi0", ""))
            archive = {
                "vmid": vm.vmid,
                "notes": notes,
                "config": dict(vm.config),
                "image_of": vm.image_of,
                "size": int(disk * ARCHIVE_SHARE),
                "ctime": int(time.time()),
            }
            volumes = proxmox.cluster.volumes
            return proxmox.task(
                request,
                node,
                "vzdump",
                vm.vmid,
                work=lambda: volumes.update({f"{node}/{volid}": json.dumps(archive).encode()}),
            )

        @r.get("/nodes/{node}/storage/{storage}/content")
        async def content(node: str, storage: str, request: Request) -> Any:
            refused = proxmox.storage_refused(node, storage)
            if refused is not None:
                return refused
            q = request.query_params
            return data(
                [
                    item
                    for item in self._listed(node, storage)
                    if (q.get("content") is None or item["content"] == q["content"])
                    and (q.get("vmid") is None or str(item.get("vmid")) == q["vmid"])
                ]
            )

        @r.post("/nodes/{node}/qemu")
        async def restore(node: str, request: Request) -> Any:
            params = (await form(request)).fields
            refused = refused_parameters(
                params, required=("vmid", "archive"), integers=("vmid", "force")
            )
            if refused is not None:
                return refused
            vmid, volid = int(params["vmid"]), params["archive"]
            volume = proxmox.cluster.volumes.get(f"{node}/{volid}")
            if volume is None:
                return error(500, f"volume '{volid}' does not exist")
            vm = proxmox.cluster.vms.get(vmid)
            if vm is None:
                return error(500, f"unable to restore VM {vmid} - the VM does not exist")
            if params.get("force") != "1":
                return error(500, f"unable to restore VM {vmid} - VM {vmid} already exists")
            if vm.status == "running":
                return error(500, f"unable to restore VM {vmid} - VM {vmid} is running")
            if vm.lock:
                return error(500, f"VM {vmid} is locked ({vm.lock})")
            vm.lock = "create"
            archive = _archive(volume)

            def restored() -> None:
                vm.config, vm.lock = dict(archive["config"]), None
                vm.image_of = archive.get("image_of", vm.image_of)

            return proxmox.task(
                request,
                node,
                "qmrestore",
                vmid,
                work=restored,
                undo=lambda: setattr(vm, "lock", None),
            )
