"""Proxmox VE through `proxmoxer` and an API token: a `ServerProvider`.

An instance's VM is named `hp-<instance id>` and tagged `hostplane` and `hp-<instance id>`. It
is looked up by them (`/cluster/resources`) before one is cloned, so a retried step finds the
VM of an earlier attempt instead of cloning a twin. A new VM is a full clone of the template VM
named after its image (`ubuntu-24.04`, `debian-12`; a cluster without one for the default image
clones the plan's template VM), kept on storage every node reaches, so it clones to any of
them, on the node of the region with the most free memory, under a VMID from
`/cluster/nextid`: another clone may take that VMID first, and the clone is then tried again
under a fresh one.

User data. Proxmox builds a VM's cloud-init drive from its settings (user, SSH keys, IP
configuration); custom user data only comes in through `cicustom`, which names a *snippet*
on a storage holding snippets, and snippets cannot be written through the API: its upload
takes ISO images, container templates and disk images only (Proxmox Bugzilla #2208). Tools
that use snippets copy them to the nodes over SSH. Hostplane makes do with its API token:
it builds the NoCloud seed cloud-init looks for (an ISO image labelled `cidata` holding the
user data and meta-data, `nocloud.py`), uploads it as an ISO image to the node's
`seed_storage` (`local`, which every node has) and puts it in the VM's `ide2` CD drive, where
the template's cloud-init drive was. The seed stays while the VM lives (cloud-init looks for
its datasource at every boot) and is deleted with it. The network comes up by DHCP, cloud-
init's fallback; the address is read from the QEMU guest agent, which the template carries.

Requests, their retries and Proxmox's tasks are `proxmox_api.py`'s; every request is counted
for Prometheus.
"""

import io
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import UUID

from proxmoxer import ResourceException

from hostplane.contracts.catalog import SERVER_IMAGE, PlanSpec, Provider, ProxmoxRegion
from hostplane.contracts.telemetry import ServerUsage
from hostplane.providers.errors import ProviderError, TransientError
from hostplane.provisioning.adapters.nocloud import seed_image
from hostplane.provisioning.adapters.provider import (
    BootState,
    ConsoleAccess,
    CreatedServer,
    ServerSpec,
)
from hostplane.provisioning.adapters.proxmox_api import (
    Guest,
    ProxmoxApi,
    TaskFailed,
    provider_call,
    reported,
    vm_name,
)
from hostplane.provisioning.adapters.proxmox_backups import ProxmoxBackups
from hostplane.provisioning.adapters.proxmox_rebuild import BOOT_DISK, SEED_DRIVE, ProxmoxRebuilds
from hostplane.provisioning.domain.instance import ServerFacts

MANAGED_TAG = "hostplane"
# Seconds an ACPI shutdown may take before Proxmox stops the VM hard (`forceStop`).
SHUTDOWN_TIMEOUT_S = 60
# A VMID from /cluster/nextid is not reserved: another clone may take it first. Drawn again
# at once (a race is no overload), apart from the retries of transient failures.
VMID_DRAWS = 10
# A VNC ticket opens the console websocket within 40 s of being issued, not later
# (PVE::AccessControl::verify_vnc_ticket).
CONSOLE_LIFE = timedelta(seconds=40)
DRIVE = re.compile(r"(ide|sata|scsi|virtio)\d+")
DISK_SIZE = re.compile(r"(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)")
GIB_PER_UNIT = {"": 1 / 2**30, "K": 1 / 2**20, "M": 1 / 2**10, "G": 1.0, "T": 2**10}


class SeedFile(io.BytesIO):
    """The seed image as an upload: proxmoxer names a file part after its `name`."""

    def __init__(self, content: bytes, name: str) -> None:
        super().__init__(content)
        self.name = name


class ProxmoxProvider(ProxmoxBackups, ProxmoxRebuilds):
    def __init__(
        self,
        api_url: str,
        token_id: str,
        token_secret: str,
        verify_tls: bool = True,
        poll_interval_s: float = 0.25,
        timeout_s: float = 30.0,
        boot_timeout_s: float = 600.0,
        seed_storage: str = "local",
    ) -> None:
        self._api_url = api_url.rstrip("/")
        self._poll_interval_s = poll_interval_s
        self._boot_timeout_s = boot_timeout_s
        self._seed_storage = seed_storage
        self._api = ProxmoxApi(
            self._api_url,
            token_id,
            token_secret,
            verify_tls,
            timeout_s,
            poll_interval_s,
            boot_timeout_s,
        )

    @property
    def name(self) -> Provider:
        return "proxmox"

    @property
    def poll_interval_s(self) -> float:
        return self._poll_interval_s

    def ensure_server(self, spec: ServerSpec) -> CreatedServer:
        """The instance's VM, found or cloned; a VM not yet running is set up and started,
        and its address is waited for."""
        region = spec.region
        if not isinstance(region, ProxmoxRegion):
            raise ProviderError("SERVER_CREATE_FAILED", f"{region.location} is not at Proxmox")
        with reported("SERVER_CREATE_FAILED"):
            guest = self._find(spec.instance_id)
            if guest is None:
                guest = self._clone(spec, self._template(spec), self._roomiest(region))
            else:
                guest = self._api.settled(guest)
            boot = None
            if guest.status != "running":
                self._set_up(guest, spec)
                boot = self._api.run("POST", f"{guest.path}/status/start")
            facts = ServerFacts(
                provider="proxmox",
                server_id=guest.vmid,
                server_type=spec.plan.size_at("proxmox"),
                datacenter=region.datacenter,
                ip_address=self._address(guest),
            )
            return CreatedServer(facts, boot)

    def boot_states(self, boots: Sequence[str]) -> list[BootState]:
        """How the start tasks stand: one status request each (Proxmox has no batch)."""
        with reported("PROVIDER_UNREACHABLE"):
            return [self._boot_state(upid) for upid in boots]

    def wait_started(self, instance_id: UUID) -> None:
        """Block until the VM runs; a VM found stopped (and not locked) did not boot."""
        with reported("SERVER_CREATE_FAILED"):
            guest = self._require(instance_id)
            deadline = time.monotonic() + self._boot_timeout_s
            while (current := self._api.current(guest)).get("lock") or current[
                "status"
            ] != "running":
                if current["status"] == "stopped" and not current.get("lock"):
                    raise TaskFailed(f"VM {guest.vmid} is stopped: it did not boot")
                if time.monotonic() > deadline:
                    raise TaskFailed(f"VM {guest.vmid} not running after {self._boot_timeout_s}s")
                time.sleep(self._poll_interval_s)

    def ensure_deleted(self, instance_id: UUID) -> bool:
        """Stop and destroy every VM of the instance (disks included), its seed and its
        backups."""
        with reported("SERVER_DELETE_FAILED"):
            guests = self._find_all(instance_id)
            for guest in guests:
                self._destroy(instance_id, guest)
            self._remove_seeds(instance_id)
            self._remove_backups(instance_id)
            return bool(guests)

    def power_off(self, instance_id: UUID) -> None:
        """Shut the VM down through ACPI; Proxmox stops it hard if it has not after a while."""
        with reported("POWER_OFF_FAILED"):
            self._shut_down(self._require(instance_id))

    def power_on(self, instance_id: UUID) -> None:
        """Start the VM (already running is fine)."""
        with reported("POWER_ON_FAILED"):
            self._start(self._require(instance_id))

    def reboot(self, instance_id: UUID) -> None:
        """Reboot the VM through ACPI; a stopped VM is started."""
        with reported("REBOOT_FAILED"):
            guest = self._require(instance_id)
            if guest.status == "running":
                self._api.run("POST", f"{guest.path}/status/reboot")
            else:
                self._start(guest)

    def resize(self, instance_id: UUID, plan: PlanSpec, start_after: bool) -> None:
        """Cores and memory as the plan's (the VM stopped for it), the disk grown to the
        plan's (never shrunk), and the VM started again if asked."""
        with reported("RESIZE_FAILED"):
            guest = self._require(instance_id)
            config = self._api.call("GET", f"{guest.path}/config")
            wanted = {"cores": plan.cores, "memory": plan.memory_mb}
            changed = {key: value for key, value in wanted.items() if _size(config, key) != value}
            if changed:
                # Without hotplug both only change at the next boot: the VM is stopped first.
                self._shut_down(guest)
                self._api.call("PUT", f"{guest.path}/config", **changed)
            self._grow_disk(guest, config, plan.disk_gb)
            if start_after:
                self._start(guest)

    def usage(self) -> list[ServerUsage]:
        """Every running Hostplane VM's latest minute of its hour of RRD data."""
        with reported("PROVIDER_UNREACHABLE"):
            running = [g for g in self._managed() if g.status == "running"]
            return [sample for g in running if (sample := self._usage(g)) is not None]

    def console(self, instance_id: UUID) -> ConsoleAccess:
        """A VNC proxy on the VM's node, reached through the API's websocket with its ticket.

        The websocket wants the API token too: a console gateway holding it connects."""
        with reported("CONSOLE_FAILED"):
            guest = self._require(instance_id)
            proxy = self._api.call("POST", f"{guest.path}/vncproxy", websocket=1)
        api = urlsplit(self._api_url)
        scheme = "wss" if api.scheme == "https" else "ws"
        query = urlencode({"port": proxy["port"], "vncticket": proxy["ticket"]})
        return ConsoleAccess(
            url=f"{scheme}://{api.netloc}{api.path}/api2/json/{guest.path}/vncwebsocket?{query}",
            password=str(proxy["ticket"]),
            expires_at=datetime.now(UTC) + CONSOLE_LIFE,
        )

    # ---- boots ---------------------------------------------------------------------------

    def _boot_state(self, upid: str) -> BootState:
        try:
            task = self._api.task(upid)
        except ResourceException as error:
            return BootState(upid, "error", f"task {upid}: {error}")
        if task["status"] != "stopped":
            return BootState(upid, "running")
        outcome = str(task.get("exitstatus", ""))
        if outcome == "OK" or outcome.startswith("WARNINGS"):
            return BootState(upid, "success")
        return BootState(upid, "error", outcome)

    # ---- looking up ----------------------------------------------------------------------

    def _find_all(self, instance_id: UUID) -> list[Guest]:
        return [guest for guest in self._api.guests() if guest.is_of(instance_id)]

    def _find(self, instance_id: UUID) -> Guest | None:
        return next(iter(self._find_all(instance_id)), None)

    def _require(self, instance_id: UUID) -> Guest:
        guest = self._find(instance_id)
        if guest is None:
            raise ProviderError("SERVER_NOT_FOUND", f"no VM for instance {instance_id}")
        return guest

    def _managed(self) -> list[Guest]:
        return [
            guest
            for guest in self._api.guests()
            if not guest.template
            and (MANAGED_TAG in guest.tags or guest.name.startswith("hp-"))
            and guest.instance_id() is not None
        ]

    def _template(self, spec: ServerSpec) -> Guest:
        """The default image's template is the plan's (`vm_template`, the operator's
        choice); another image's is the template VM named after it."""
        templates = [guest for guest in self._api.guests() if guest.template]
        if spec.image == SERVER_IMAGE:
            found = next((g for g in templates if g.vmid == spec.plan.vm_template), None)
        else:
            found = next((g for g in templates if g.name == spec.image), None)
        if found is None:
            raise ProviderError("SERVER_CREATE_FAILED", f"no template VM for {spec.image}")
        return found

    def _roomiest(self, region: ProxmoxRegion) -> str:
        """The region's online node with the most free memory."""
        nodes = [
            node
            for node in self._api.call("GET", "nodes")
            if node.get("node") in region.nodes and node.get("status") == "online"
        ]
        if not nodes:
            raise ProviderError("SERVER_CREATE_FAILED", f"no node of {region.nodes} is online")
        roomiest = max(nodes, key=lambda node: int(node["maxmem"]) - int(node["mem"]))
        return str(roomiest["node"])

    def _clone(self, spec: ServerSpec, template: Guest, node: str) -> Guest:
        """A full clone of the template for the instance, under a fresh VMID."""
        for _ in range(VMID_DRAWS):
            cloned = self._clone_once(spec, template, node)
            if cloned is not None:
                return cloned
        raise ProviderError(
            "SERVER_CREATE_FAILED", f"{VMID_DRAWS} VMIDs in a row were taken by other clones"
        )

    @provider_call
    def _clone_once(self, spec: ServerSpec, template: Guest, node: str) -> Guest | None:
        """A clone under the next free VMID; None when another clone took it meanwhile."""
        assert isinstance(spec.region, ProxmoxRegion)
        found = self._find(spec.instance_id)
        if found is not None:  # an earlier try went through, its answer lost
            return self._api.settled(found)
        vmid = int(self._api.call("GET", "cluster/nextid"))
        try:
            upid = self._api.send(
                "POST",
                f"{template.path}/clone",
                newid=vmid,
                name=vm_name(spec.instance_id),
                target=node,
                full=1,
                storage=spec.region.storage,
            )
        except ResourceException:
            if not any(guest.vmid == vmid for guest in self._api.guests()):
                raise
            return None
        self._api.wait_task(str(upid))
        return Guest(vmid, node, vm_name(spec.instance_id), "stopped", frozenset(), False)

    def _set_up(self, guest: Guest, spec: ServerSpec) -> None:
        """The plan's cores and memory, the instance's tags, the seed in the CD drive in
        place of the template's cloud-init drive, the disk grown to the plan's."""
        config = self._api.call("GET", f"{guest.path}/config")
        seed = self._seed(guest.node, spec)
        others = [
            key
            for key, value in config.items()
            if DRIVE.fullmatch(key) and "cloudinit" in str(value) and key != SEED_DRIVE
        ]
        self._api.call(
            "PUT",
            f"{guest.path}/config",
            cores=spec.plan.cores,
            memory=spec.plan.memory_mb,
            tags=f"{MANAGED_TAG};{vm_name(spec.instance_id)}",
            agent=1,
            **{SEED_DRIVE: f"{seed},media=cdrom"},
            **({"delete": ",".join(others)} if others else {}),
        )
        self._grow_disk(guest, config, spec.plan.disk_gb)

    def _seed(self, node: str, spec: ServerSpec) -> str:
        """The volume of the instance's seed image on `node`, uploaded unless it is there."""
        filename = f"{vm_name(spec.instance_id)}-cidata.iso"
        volume = f"{self._seed_storage}:iso/{filename}"
        if volume not in self._seed_volumes(node):
            self._upload(node, filename, spec.instance_id, spec.user_data)
        return volume

    def _seed_volumes(self, node: str) -> set[str]:
        path = f"nodes/{node}/storage/{self._seed_storage}/content"
        return {str(item["volid"]) for item in self._api.call("GET", path, content="iso")}

    @provider_call
    def _upload(self, node: str, filename: str, instance_id: UUID, user_data: str) -> None:
        name = vm_name(instance_id)
        image = seed_image(user_data, f"instance-id: {name}\nlocal-hostname: {name}\n")
        path = f"nodes/{node}/storage/{self._seed_storage}/upload"
        upid = self._api.send("POST", path, content="iso", filename=SeedFile(image, filename))
        if upid:  # a task since Proxmox VE 7
            self._api.wait_task(str(upid))

    def _grow_disk(self, guest: Guest, config: Mapping[str, Any], disk_gb: int) -> None:
        size = DISK_SIZE.search(str(config.get(BOOT_DISK, "")))
        current_gib = float(size[1]) * GIB_PER_UNIT[size[2]] if size else 0.0
        if disk_gb > current_gib:
            answer = self._api.call(
                "PUT", f"{guest.path}/resize", disk=BOOT_DISK, size=f"{disk_gb}G"
            )
            if isinstance(answer, str) and answer.startswith("UPID:"):  # a task since VE 8
                self._api.wait_task(answer)

    def _address(self, guest: Guest) -> str:
        """The VM's first IPv4 address as its guest agent reports it, once the agent runs."""
        deadline = time.monotonic() + self._boot_timeout_s
        path = f"{guest.path}/agent/network-get-interfaces"
        while time.monotonic() < deadline:
            try:
                interfaces = self._api.send("GET", path)["result"]
            except (ResourceException, TransientError):
                interfaces = []  # the VM is booting, its agent not answering yet
            address = next(_ipv4_addresses(interfaces), None)
            if address is not None:
                return address
            time.sleep(self._poll_interval_s)
        raise TaskFailed(f"VM {guest.vmid}: no IPv4 address after {self._boot_timeout_s}s")

    # ---- power and removal ---------------------------------------------------------------

    def _start(self, guest: Guest) -> None:
        if self._api.current(guest)["status"] != "running":
            self._api.run("POST", f"{guest.path}/status/start")

    def _shut_down(self, guest: Guest) -> None:
        if self._api.current(guest)["status"] != "stopped":
            self._api.run(
                "POST",
                f"{guest.path}/status/shutdown",
                timeout=SHUTDOWN_TIMEOUT_S,
                forceStop=1,
            )

    def _destroy(self, instance_id: UUID, guest: Guest) -> None:
        """Stop and destroy the VM; one already gone (another delete was quicker) is fine."""
        try:
            if self._api.current(guest)["status"] != "stopped":
                self._api.run("POST", f"{guest.path}/status/stop")
            self._api.run("DELETE", guest.path, purge=1, **{"destroy-unreferenced-disks": 1})
        except (ResourceException, TransientError, TaskFailed):
            if any(found.vmid == guest.vmid for found in self._find_all(instance_id)):
                raise

    def _remove_seeds(self, instance_id: UUID) -> None:
        volume = f"{self._seed_storage}:iso/{vm_name(instance_id)}-cidata.iso"
        for node in self._api.call("GET", "nodes"):
            if node.get("status") != "online" or volume not in self._seed_volumes(node["node"]):
                continue
            path = f"nodes/{node['node']}/storage/{self._seed_storage}/content/{volume}"
            answer = self._api.call("DELETE", path)
            if isinstance(answer, str) and answer.startswith("UPID:"):
                self._api.wait_task(answer)

    # ---- usage ---------------------------------------------------------------------------

    def _usage(self, guest: Guest) -> ServerUsage | None:
        rows = self._api.call("GET", f"{guest.path}/rrddata", timeframe="hour", cf="AVERAGE")
        latest = next((row for row in reversed(rows) if "cpu" in row), None)
        instance_id = guest.instance_id()
        if latest is None or instance_id is None:
            return None
        return ServerUsage(
            instance_id=instance_id,
            ts=datetime.fromtimestamp(int(latest["time"]), UTC),
            provider="proxmox",
            cpu_percent=float(latest["cpu"]) * 100,
            disk_bps=float(latest.get("diskread", 0)) + float(latest.get("diskwrite", 0)),
            net_in_bps=float(latest.get("netin", 0)),
            net_out_bps=float(latest.get("netout", 0)),
            traffic_out_gb=0.0,  # Proxmox does not meter traffic
            traffic_gb=0.0,
            ram_used_mb=float(latest.get("mem", 0)) / 2**20,
        )


def _size(config: Mapping[str, Any], key: str) -> int:
    """Cores or memory (MiB) from a VM's config; memory may read `current=4096`."""
    default = {"cores": 1, "memory": 512}[key]
    value = str(config.get(key, default)).split(",")[0].removeprefix("current=")
    return int(value)


def _ipv4_addresses(interfaces: list[dict[str, Any]]) -> Iterator[str]:
    for interface in interfaces:
        if interface.get("name") == "lo":
            continue
        for address in interface.get("ip-addresses") or []:
            ip = str(address.get("ip-address", ""))
            if address.get("ip-address-type") == "ipv4" and not ip.startswith(("127.", "169.254.")):
                yield ip
