"""Proxmox VE's API (`/api2/json`) as `proxmoxer` uses it, for a cluster of a few nodes.

Answers come in Proxmox's `{"data": ...}` envelope; errors as Proxmox words them: 500 with
`{"data": null, "message": ...}` for most refusals (a locked VM, a VMID that exists, a config
file that does not), 400 with `{"errors": {<parameter>: ...}}` for bad parameters. Bodies of
POST and PUT are form-encoded, an upload multipart. Clone, start, stop, shutdown, reboot,
delete, resize and uploads are tasks: answered at once with a UPID, they end after the
configured action delay with exitstatus "OK" (or an error, for an `action_error` fault).

The cluster's nodes come from `CLOUDSIM_PROXMOX_NODES` (`name:GiB` each); the cloud-init
template VMs, one per operating system and named after it (9000 `ubuntu-24.04`, 9001
`ubuntu-22.04`, 9002 `debian-12`, 9003 `debian-11`, 9004 `rocky-9`), live on the first. A
started VM's guest agent answers once the boot delay has passed, with an address from
10.20.0.0/16 and the operating system of its disk's image (`get-osinfo`); then, on the first
boot of its disk, the VM calls the ready callback of the user data in the NoCloud seed image
in its CD drive.

A config change may make a disk as a copy of another volume (`scsi0:
local-lvm:0,import-from=local-lvm:base-9002-disk-0`, Proxmox VE 7.2+): the POST's task
writes a new volume of the VM, and the disk it replaces stays as `unusedN` until that entry
is deleted. Where Proxmox would leave the replacement of a running VM's disk pending until
its next stop, cloudsim refuses it.
"""

import asyncio
import hashlib
import ipaddress
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hostplane.cloudsim.callback import ReadyCallback
from hostplane.cloudsim.faults import action_should_fail
from hostplane.cloudsim.proxmox_guests import (
    BYTES_PER_UNIT,
    CERT,
    DRIVE,
    TEMPLATE_IMAGES,
    cloned_config,
    disk_bytes,
    guest_interfaces,
    halt,
    import_request,
    imported_disk,
    rrd_rows,
    sized,
    status_of,
    template_config,
    vm_row,
    volume_of,
    volume_size,
)
from hostplane.cloudsim.proxmox_wire import (
    data,
    error,
    form,
    refused_parameters,
    refused_upload,
    user_of,
)
from hostplane.cloudsim.state import ProxmoxCluster, ProxmoxTask, ProxmoxVM, World

FIRST_VMID = 100
NODE_BASE_USE = 4 * 2**30  # what a node's own services take
ADDRESSES = ipaddress.IPv4Network("10.20.0.0/16")
# Storages every node has, and what each may hold.
STORAGES = {"local": {"iso", "vztmpl", "backup", "import"}, "local-lvm": {"images", "rootdir"}}
SEED_VOLUME = re.compile(r"^([\w-]+:iso/[^,]+)")


def nodes_from(setting: str) -> dict[str, int]:
    """`CLOUDSIM_PROXMOX_NODES`: `name:GiB` pairs; a name alone has 64 GiB of memory."""
    nodes = {}
    for item in setting.split(","):
        name, _, gib = item.strip().partition(":")
        if name:
            nodes[name] = int(gib or 64)
    return nodes


class Proxmox:
    def __init__(self, world: World, nodes: dict[str, int]) -> None:
        self.world = world
        self.nodes = nodes
        self.tasks: set[asyncio.Task[None]] = set()
        self._ready = ReadyCallback(world)
        self.router = APIRouter()
        self._routes()

    @property
    def cluster(self) -> ProxmoxCluster:
        """The world's cluster, its template VM put on the first node when first asked for."""
        cluster = self.world.proxmox
        if not cluster.seeded:
            for vmid in TEMPLATE_IMAGES:
                cluster.vms[vmid] = ProxmoxVM(
                    vmid, next(iter(self.nodes)), template_config(vmid), image_of=vmid
                )
            cluster.seeded = True
        return cluster

    # ---- tasks ---------------------------------------------------------------------------

    def task(
        self,
        request: Request,
        node: str,
        kind: str,
        subject: object,
        work: Callable[[], object] = lambda: None,
        undo: Callable[[], object] = lambda: None,
    ) -> dict[str, Any]:
        """A worker task that does `work` after the action delay, or `undo` when it fails."""
        now = int(time.time())
        pid = self.world.rng.randrange(1000, 2**22)
        user = user_of(request)
        upid = f"UPID:{node}:{pid:08X}:{pid * 7:08X}:{now:08X}:{kind}:{subject}:{user}:"
        task = ProxmoxTask(upid, node, kind, str(subject), user, now)
        self.cluster.tasks[upid] = task
        fails = action_should_fail(request)
        self.later(self._finish(task, fails, work, undo))
        return data(upid)

    def later(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _finish(
        self, task: ProxmoxTask, fails: bool, work: Callable[[], object], undo: Callable[[], object]
    ) -> None:
        await asyncio.sleep(self.world.config.action_delay())
        if fails:
            undo()
            task.exitstatus = f"{task.type} failed: injected failure"
            return
        work()
        task.exitstatus = "OK"

    def boot(self, vm: ProxmoxVM) -> None:
        """The VM runs; its guest boots, and on its first boot calls back as the seed says."""
        delay = self.world.config.boot_delay(self.world.rng)
        vm.status, vm.booted_at = "running", time.monotonic() + delay
        vm.ip = vm.ip or str(ADDRESSES[next(self.cluster.ips)])
        if not vm.started_once:
            vm.started_once = True
            self.later(self._first_boot(vm, delay))

    async def _first_boot(self, vm: ProxmoxVM, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._ready.send(vm.vmid, self._user_data(vm))

    def _user_data(self, vm: ProxmoxVM) -> str:
        """The text of the seed images in the VM's CD drives (the ready URL is plain in it)."""
        seeds = (SEED_VOLUME.match(value) for value in vm.config.values())
        images = [self.cluster.volumes.get(f"{vm.node}/{seed[1]}") for seed in seeds if seed]
        return "\n".join(image.decode("latin-1") for image in images if image)

    # ---- lookups -------------------------------------------------------------------------

    def vm(self, node: str, vmid: int) -> ProxmoxVM | JSONResponse:
        vm = self.cluster.vms.get(vmid)
        if vm is None or vm.node != node:
            return error(
                500, f"Configuration file 'nodes/{node}/qemu-server/{vmid}.conf' does not exist"
            )
        return vm

    def unlocked(self, node: str, vmid: int) -> ProxmoxVM | JSONResponse:
        vm = self.vm(node, vmid)
        if isinstance(vm, ProxmoxVM) and vm.lock:
            return error(500, f"VM {vmid} is locked ({vm.lock})")
        return vm

    def disk(self, volume: str) -> tuple[ProxmoxVM, str] | None:
        """The VM (or template) one of whose disks is `volume`, and that disk's config."""
        for vm in self.cluster.vms.values():
            for key, value in vm.config.items():
                if DRIVE.fullmatch(key) and volume_of(value) == volume:
                    return vm, value
        return None

    def refused_imports(
        self, vm: ProxmoxVM, imports: dict[str, tuple[str, str, list[str]]]
    ) -> JSONResponse | None:
        for key, (storage, source, _) in imports.items():
            if storage not in STORAGES:
                return error(500, f"storage '{storage}' does not exist")
            if "images" not in STORAGES[storage]:
                return error(500, f"storage '{storage}' does not support vm images")
            if self.disk(source) is None:
                return error(500, f"volume '{source}' does not exist")
            if vm.status == "running" and key in vm.config:
                return error(500, f"VM {vm.vmid} is running - cannot replace disk '{key}'")
        return None

    def node_memory(self, node: str) -> tuple[int, int]:
        """(used, total) bytes: the node's own share and its running VMs' memory."""
        running = [v for v in self.cluster.vms.values() if v.node == node and v.status == "running"]
        used = NODE_BASE_USE + sum(int(v.config.get("memory", 512)) * 2**20 for v in running)
        return used, self.nodes[node] * 2**30

    def node_row(self, node: str) -> dict[str, Any]:
        used, total = self.node_memory(node)
        return {
            "node": node,
            "id": f"node/{node}",
            "type": "node",
            "status": "online",
            "level": "",
            "cpu": 0.03,
            "maxcpu": 32,
            "mem": used,
            "maxmem": total,
            "disk": 12 * 2**30,
            "maxdisk": 100 * 2**30,
            "uptime": 86400 + int(time.monotonic() - self.world.started),
        }

    def storage_refused(self, node: str, storage: str) -> JSONResponse | None:
        if node not in self.nodes:
            return error(500, f"no such cluster node '{node}'")
        if storage not in STORAGES:
            return error(500, f"storage '{storage}' does not exist")
        return None

    def stored(self, node: str, storage: str) -> list[dict[str, Any]]:
        """The files uploaded to a node's storage, as its content listing shows them."""
        prefix = f"{node}/{storage}:"
        return [
            {
                "volid": key.removeprefix(f"{node}/"),
                "content": key.removeprefix(prefix).split("/")[0],
                "format": key.rsplit(".", 1)[-1],
                "size": len(content),
                "ctime": int(time.time()),
            }
            for key, content in self.cluster.volumes.items()
            if key.startswith(prefix)
        ]

    def _routes(self) -> None:
        self._cluster_routes()
        self._vm_routes()
        self._power_routes()
        self._storage_routes()

    def _cluster_routes(self) -> None:
        r = self.router

        @r.get("/version")
        async def version() -> Any:
            return data({"version": "8.2.4", "release": "8.2", "repoid": "faa83925c9641325"})

        @r.get("/nodes")
        async def nodes() -> Any:
            return data([self.node_row(name) for name in self.nodes])

        @r.get("/cluster/nextid")
        async def nextid() -> Any:
            vmid = FIRST_VMID
            while vmid in self.cluster.vms:
                vmid += 1
            return data(str(vmid))

        @r.get("/cluster/resources")
        async def resources(request: Request) -> Any:
            kind = request.query_params.get("type")
            rows = [vm_row(vm) for vm in self.cluster.vms.values()] if kind in (None, "vm") else []
            if kind in (None, "node"):
                rows += [self.node_row(name) for name in self.nodes]
            return data(rows)

        @r.get("/nodes/{node}/tasks/{upid}/status")
        async def task_status(node: str, upid: str) -> Any:
            task = self.cluster.tasks.get(upid)
            if task is None or task.node != node:
                return error(500, f"no such task '{upid}'")
            pid = int(upid.split(":")[2], 16)
            status: dict[str, Any] = {
                "upid": upid,
                "node": node,
                "pid": pid,
                "pstart": pid * 7,
                "starttime": task.starttime,
                "type": task.type,
                "id": task.id,
                "user": task.user,
                "status": "running" if task.exitstatus is None else "stopped",
            }
            if task.exitstatus is not None:
                status["exitstatus"] = task.exitstatus
            return data(status)

    def _vm_routes(self) -> None:
        r = self.router

        @r.post("/nodes/{node}/qemu/{vmid}/clone")
        async def clone(node: str, vmid: int, request: Request) -> Any:
            source = self.vm(node, vmid)
            params = (await form(request)).fields
            refused = refused_parameters(params, required=("newid",), integers=("newid", "full"))
            if isinstance(source, JSONResponse) or refused is not None:
                return source if isinstance(source, JSONResponse) else refused
            cluster, newid, target = self.cluster, int(params["newid"]), params.get("target", node)
            if newid in cluster.vms:
                return error(500, f"VM {newid} already exists on node '{cluster.vms[newid].node}'")
            if target not in self.nodes:
                return error(500, f"no such cluster node '{target}'")
            config = cloned_config(source.config, newid, params)
            cluster.vms[newid] = vm = ProxmoxVM(
                newid, target, config, lock="clone", image_of=source.image_of
            )
            return self.task(
                request,
                node,
                "qmclone",
                vmid,
                work=lambda: setattr(vm, "lock", None),
                undo=lambda: cluster.vms.pop(newid, None),
            )

        @r.get("/nodes/{node}/qemu/{vmid}/config")
        async def get_config(node: str, vmid: int) -> Any:
            vm = self.vm(node, vmid)
            if isinstance(vm, JSONResponse):
                return vm
            digest = hashlib.sha1(repr(sorted(vm.config.items())).encode()).hexdigest()  # noqa: S324
            lock = {"lock": vm.lock} if vm.lock else {}
            return data({**vm.config, **lock, "digest": digest})

        async def set_config(node: str, vmid: int, request: Request) -> Any:
            vm = self.unlocked(node, vmid)
            params = (await form(request)).fields
            refused = refused_parameters(params, integers=("cores", "memory", "sockets"))
            if isinstance(vm, JSONResponse) or refused is not None:
                return vm if isinstance(vm, JSONResponse) else refused
            imports = {
                key: wanted
                for key, value in params.items()
                if DRIVE.fullmatch(key) and (wanted := import_request(value)) is not None
            }
            refused = self.refused_imports(vm, imports)
            if refused is not None:
                return refused
            for key in params.pop("delete", "").split(","):
                removed = vm.config.pop(key.strip(), None)
                if key.strip().startswith("unused") and removed is not None:
                    vm.detached.pop(removed, None)  # deleting the entry deletes the volume
            params.pop("digest", None)
            vm.config.update({k: v for k, v in params.items() if k not in imports})

            def write_imports() -> None:
                for key, (storage, source, options) in imports.items():
                    owner, disk = self.disk(source) or (None, "")
                    vm.config.update(imported_disk(vm, key, storage, disk_bytes(disk), options))
                    if owner is not None and key == "scsi0":  # the boot disk: a fresh guest
                        vm.image_of, vm.started_once = owner.image_of, False

            if request.method == "PUT":
                write_imports()
                return data(None)
            return self.task(request, node, "qmconfig", vmid, work=write_imports)

        r.add_api_route("/nodes/{node}/qemu/{vmid}/config", set_config, methods=["PUT", "POST"])

        @r.put("/nodes/{node}/qemu/{vmid}/resize")
        async def resize(node: str, vmid: int, request: Request) -> Any:
            vm = self.unlocked(node, vmid)
            params = (await form(request)).fields
            refused = refused_parameters(params, required=("disk", "size"))
            if isinstance(vm, JSONResponse) or refused is not None:
                return vm if isinstance(vm, JSONResponse) else refused
            disk = vm.config.get(params["disk"])
            wanted = re.fullmatch(r"(\+?)(\d+)([KMGT]?)", params["size"])
            if disk is None or wanted is None:
                return error(500, f"unable to parse or find disk '{params['disk']}'")
            old = disk_bytes(disk)
            new = int(wanted[2]) * BYTES_PER_UNIT[wanted[3]] + (old if wanted[1] else 0)
            if new < old:
                return error(500, "shrinking disks is not supported")
            grown = re.sub(r"size=\w+", f"size={sized(new)}", disk)
            key = params["disk"]
            return self.task(
                request, node, "resize", vmid, work=lambda: vm.config.update({key: grown})
            )

        @r.delete("/nodes/{node}/qemu/{vmid}")
        async def destroy(node: str, vmid: int, request: Request) -> Any:
            vm = self.unlocked(node, vmid)
            if isinstance(vm, JSONResponse):
                return vm
            if vm.status == "running":
                return error(500, f"VM {vmid} is running - destroy failed")
            cluster = self.cluster
            return self.task(
                request, node, "qmdestroy", vmid, work=lambda: cluster.vms.pop(vmid, None)
            )

        @r.get("/nodes/{node}/qemu/{vmid}/status/current")
        async def current(node: str, vmid: int) -> Any:
            vm = self.vm(node, vmid)
            return vm if isinstance(vm, JSONResponse) else data(status_of(vm))

        @r.get("/nodes/{node}/qemu/{vmid}/agent/{command}")
        async def agent(node: str, vmid: int, command: str) -> Any:
            vm = self.vm(node, vmid)
            if isinstance(vm, JSONResponse):
                return vm
            if vm.status != "running":
                return error(500, f"VM {vmid} is not running")
            if vm.config.get("agent", "0").split(",")[0] not in ("1", "enabled=1"):
                return error(500, "No QEMU guest agent configured")
            if vm.booted_at is None or time.monotonic() < vm.booted_at:
                return error(500, "QEMU guest agent is not running")
            if command == "get-osinfo" and vm.image_of in TEMPLATE_IMAGES:
                return data({"result": TEMPLATE_IMAGES[vm.image_of][2].osinfo()})
            if command != "network-get-interfaces":
                return error(
                    501, f"Method 'GET /nodes/{node}/qemu/{vmid}/agent/{command}' not implemented"
                )
            return data({"result": guest_interfaces(vm)})

        @r.get("/nodes/{node}/qemu/{vmid}/rrddata")
        async def rrddata(node: str, vmid: int, request: Request) -> Any:
            vm = self.vm(node, vmid)
            refused = refused_parameters(dict(request.query_params), required=("timeframe",))
            if isinstance(vm, JSONResponse) or refused is not None:
                return vm if isinstance(vm, JSONResponse) else refused
            return data(rrd_rows(vm, time.time()))

        @r.post("/nodes/{node}/qemu/{vmid}/vncproxy")
        async def vncproxy(node: str, vmid: int, request: Request) -> Any:
            vm = self.vm(node, vmid)
            if isinstance(vm, JSONResponse):
                return vm
            if vm.status != "running":
                return error(500, f"VM {vmid} not running")
            upid = self.task(request, node, "vncproxy", vmid)["data"]
            ticket = f"PVEVNC:{int(time.time()):08X}::{secrets.token_urlsafe(32)}"
            port = str(5900 + self.world.rng.randrange(100))
            return data(
                {
                    "cert": CERT,
                    "port": port,
                    "ticket": ticket,
                    "upid": upid,
                    "user": user_of(request),
                }
            )

    def _power_routes(self) -> None:
        @self.router.post("/nodes/{node}/qemu/{vmid}/status/{action}")
        async def power(node: str, vmid: int, action: str, request: Request) -> Any:
            vm = self.unlocked(node, vmid)
            if isinstance(vm, JSONResponse):
                return vm
            if action not in ("start", "stop", "shutdown", "reboot"):
                return error(
                    501, f"Method 'POST /nodes/{node}/qemu/{vmid}/status/{action}' not implemented"
                )
            if vm.config.get("template") == "1":
                return error(500, "you can't start a vm if it's a template")
            running = vm.status == "running"
            if action == "start" and running:
                return error(500, f"VM {vmid} already running")
            if action in ("shutdown", "reboot") and not running:
                return error(500, f"VM {vmid} not running")
            work = (lambda: self.boot(vm)) if action in ("start", "reboot") else (lambda: halt(vm))
            return self.task(request, node, f"qm{action}", vmid, work=work)

    def _storage_routes(self) -> None:
        r = self.router

        @r.get("/nodes/{node}/storage/{storage}/content")
        async def content(node: str, storage: str, request: Request) -> Any:
            refused = self.storage_refused(node, storage)
            if refused is not None:
                return refused
            kind = request.query_params.get("content")
            return data(
                [
                    item
                    for item in self.stored(node, storage)
                    if kind is None or item["content"] == kind
                ]
            )

        @r.post("/nodes/{node}/storage/{storage}/upload")
        async def upload(node: str, storage: str, request: Request) -> Any:
            sent = await form(request)
            kind = sent.fields.get("content", "")
            refused = self.storage_refused(node, storage) or refused_upload(kind, sent)
            if refused is not None:
                return refused
            if kind not in STORAGES[storage]:
                return error(500, f"storage '{storage}' does not support content-type '{kind}'")
            filename, payload = sent.files["filename"]
            key, volumes = f"{node}/{storage}:{kind}/{filename}", self.cluster.volumes
            return self.task(
                request, node, "imgcopy", storage, work=lambda: volumes.update({key: payload})
            )

        @r.get("/nodes/{node}/storage/{storage}/content/{volume:path}")
        async def volume_attributes(node: str, storage: str, volume: str) -> Any:
            volid = volume if ":" in volume else f"{storage}:{volume}"
            refused = self.storage_refused(node, storage)
            if refused is not None:
                return refused
            uploaded = self.cluster.volumes.get(f"{node}/{volid}")
            size = len(uploaded) if uploaded is not None else None
            for vm in self.cluster.vms.values():
                if size is None and vm.node == node:
                    size = volume_size(vm, volid)
            if size is None:
                return error(500, f"volume '{volid}' does not exist")
            path = f"/dev/pve/{volid.partition(':')[2]}"
            return data({"format": "raw", "path": path, "size": size, "used": size})

        @r.delete("/nodes/{node}/storage/{storage}/content/{volume:path}")
        async def delete_content(node: str, storage: str, volume: str, request: Request) -> Any:
            volid = volume if ":" in volume else f"{storage}:{volume}"
            key, volumes = f"{node}/{volid}", self.cluster.volumes
            refused = self.storage_refused(node, storage)
            if refused is not None or key not in volumes:
                return refused or error(500, f"volume '{volid}' does not exist")
            return self.task(request, node, "imgdel", storage, work=lambda: volumes.pop(key, None))
