"""What a simulated Proxmox VM shows: its config (the template's, cloned), its status, what
its guest agent reports, and its RRD series."""

import math
import re
from dataclasses import dataclass
from typing import Any

from hostplane.cloudsim.state import ProxmoxVM

TEMPLATE_VMID = 9000
DISK_SIZE = re.compile(r"size=(\d+)([KMGT]?)")
DRIVE = re.compile(r"(ide|sata|scsi|virtio)\d+")
BYTES_PER_UNIT = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


@dataclass(frozen=True)
class OsRelease:
    """What a guest's agent reports of its operating system (`get-osinfo`, os-release)."""

    id: str
    name: str
    version: str
    version_id: str
    kernel: str

    def osinfo(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            "pretty-name": f"{self.name} {self.version}",
            "version": self.version,
            "version-id": self.version_id,
            "kernel-release": self.kernel,
            "machine": "x86_64",
        }


# The cluster's cloud-init template VMs, one per operating system, named after it (the
# distribution's cloud image imported as the template's disk).
TEMPLATE_IMAGES: dict[int, tuple[str, str, OsRelease]] = {
    9000: (
        "ubuntu-24.04",
        "3584M",
        OsRelease("ubuntu", "Ubuntu", "24.04.1 LTS (Noble Numbat)", "24.04", "6.8.0-45-generic"),
    ),
    9001: (
        "ubuntu-22.04",
        "2252M",
        OsRelease(
            "ubuntu", "Ubuntu", "22.04.5 LTS (Jammy Jellyfish)", "22.04", "5.15.0-122-generic"
        ),
    ),
    9002: (
        "debian-12",
        "2G",
        OsRelease("debian", "Debian GNU/Linux", "12 (bookworm)", "12", "6.1.0-25-cloud-amd64"),
    ),
    9003: (
        "debian-11",
        "2G",
        OsRelease("debian", "Debian GNU/Linux", "11 (bullseye)", "11", "5.10.0-32-cloud-amd64"),
    ),
    9004: (
        "rocky-9",
        "10G",
        OsRelease("rocky", "Rocky Linux", "9.4 (Blue Onyx)", "9.4", "5.14.0-427.13.1.el9_4.x86_64"),
    ),
}


def template_config(vmid: int) -> dict[str, str]:
    """A template VM's config: its image as its disk, a cloud-init drive, the guest agent."""
    name, size, _ = TEMPLATE_IMAGES[vmid]
    return {
        "name": name,
        "template": "1",
        "ostype": "l26",
        "cores": "1",
        "memory": "2048",
        "scsihw": "virtio-scsi-pci",
        "scsi0": f"local-lvm:base-{vmid}-disk-0,size={size}",
        "ide2": f"local-lvm:vm-{vmid}-cloudinit,media=cdrom",
        "boot": "order=scsi0",
        "net0": f"virtio=BC:24:11:00:{vmid // 100}:{vmid % 100:02},bridge=vmbr0",
        "agent": "1",
        "serial0": "socket",
        "vga": "serial0",
    }


CERT = "-----BEGIN CERTIFICATE-----\nMIIBcloudsim\n-----END CERTIFICATE-----\n"


def disk_bytes(volume: str) -> int:
    size = DISK_SIZE.search(volume)
    return int(size[1]) * BYTES_PER_UNIT[size[2]] if size else 0


def sized(size: int) -> str:
    """A disk size as Proxmox writes it: whole GiB, or MiB."""
    return f"{size // 2**30}G" if size % 2**30 == 0 else f"{size // 2**20}M"


def cloned_config(source: dict[str, str], newid: int, params: dict[str, str]) -> dict[str, str]:
    """A full clone's config: the source's, with disks of its own on the target storage."""
    storage = params.get("storage", "local-lvm")
    config = {key: value for key, value in source.items() if key != "template"}
    config["name"] = params.get("name") or f"Copy-of-VM-{source.get('name', '')}"
    for key, value in source.items():
        if DRIVE.fullmatch(key) and "cloudinit" in value:
            config[key] = f"{storage}:vm-{newid}-cloudinit,media=cdrom"
        elif key == "scsi0":
            config[key] = f"{storage}:vm-{newid}-disk-0,size={sized(disk_bytes(value))}"
    mac = ":".join(f"{(newid >> shift) & 0xFF:02X}" for shift in (16, 8, 0))
    config["net0"] = f"virtio=BC:24:11:{mac},bridge=vmbr0"
    return config


def volume_of(value: str) -> str:
    """The volume ID of a drive's config value (`local-lvm:vm-100-disk-0,size=4G`)."""
    return value.split(",", 1)[0]


def free_key(config: dict[str, str], prefix: str) -> str:
    """The first `<prefix>N` the config does not use (`unused0`, `unused1`, ...)."""
    return next(f"{prefix}{n}" for n in range(len(config) + 1) if f"{prefix}{n}" not in config)


def import_request(value: str) -> tuple[str, str, list[str]] | None:
    """(target storage, source volume, other options) of `<storage>:0,import-from=<volume>`,
    a disk to be made as a copy of another volume (Proxmox VE 7.2+); None for another
    value."""
    head, *options = value.split(",")
    source = next(
        (o.removeprefix("import-from=") for o in options if o.startswith("import-from=")), None
    )
    storage, _, size = head.partition(":")
    if source is None or size != "0":
        return None
    return storage, source, [o for o in options if not o.startswith(("import-from=", "size="))]


def imported_disk(
    vm: ProxmoxVM, key: str, storage: str, size: int, options: list[str]
) -> dict[str, str]:
    """The config entries an import writes: a new volume of the VM in `key`, and the disk it
    replaces, if any, kept as `unusedN` (deleting that entry deletes the volume)."""
    taken = {volume_of(value) for value in vm.config.values()}
    volume = next(
        f"{storage}:vm-{vm.vmid}-disk-{n}"
        for n in range(len(taken) + 1)
        if f"{storage}:vm-{vm.vmid}-disk-{n}" not in taken
    )
    entries = {key: ",".join([volume, *options, f"size={sized(size)}"])}
    if key in vm.config:
        entries[free_key(vm.config, "unused")] = volume_of(vm.config[key])
        vm.detached[volume_of(vm.config[key])] = disk_bytes(vm.config[key])
    return entries


def volume_size(vm: ProxmoxVM, volume: str) -> int | None:
    """Bytes of one of the VM's disks, attached or unused; None for another volume."""
    for key, value in vm.config.items():
        if DRIVE.fullmatch(key) and volume_of(value) == volume:
            return disk_bytes(value)
        if key.startswith("unused") and value == volume:
            return vm.detached.get(volume, 0)
    return None


def halt(vm: ProxmoxVM) -> None:
    vm.status, vm.booted_at = "stopped", None


def status_of(vm: ProxmoxVM) -> dict[str, Any]:
    """A VM's `status/current`."""
    running = vm.status == "running"
    memory = int(vm.config.get("memory", 512)) * 2**20
    status: dict[str, Any] = {
        "vmid": vm.vmid,
        "name": vm.config.get("name", f"VM {vm.vmid}"),
        "status": vm.status,
        "qmpstatus": vm.status,
        "agent": int(vm.config.get("agent", "0").split(",")[0] in ("1", "enabled=1")),
        "cpus": int(vm.config.get("cores", 1)),
        "cpu": 0.04 if running else 0,
        "maxmem": memory,
        "mem": int(memory * 0.3) if running else 0,
        "maxdisk": disk_bytes(vm.config.get("scsi0", "")),
        "disk": 0,
        "uptime": 600 if running else 0,
        "netin": 0,
        "netout": 0,
        "diskread": 0,
        "diskwrite": 0,
        "ha": {"managed": 0},
    }
    if vm.lock:
        status["lock"] = vm.lock
    return status


def vm_row(vm: ProxmoxVM) -> dict[str, Any]:
    """A VM as `/cluster/resources` lists it."""
    status = status_of(vm)
    row = {
        "id": f"qemu/{vm.vmid}",
        "type": "qemu",
        "node": vm.node,
        "maxcpu": status.pop("cpus"),
        **{k: v for k, v in status.items() if k not in ("qmpstatus", "agent", "ha")},
        "template": int(vm.config.get("template") == "1"),
    }
    if vm.config.get("tags"):
        row["tags"] = vm.config["tags"]
    return row


def guest_interfaces(vm: ProxmoxVM) -> list[dict[str, Any]]:
    """What the guest agent's `network-get-interfaces` reports: loopback and one NIC."""
    mac = vm.config.get("net0", "").split(",")[0].partition("=")[2].lower()
    return [
        {
            "name": "lo",
            "hardware-address": "00:00:00:00:00:00",
            "ip-addresses": [
                {"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8},
                {"ip-address": "::1", "ip-address-type": "ipv6", "prefix": 128},
            ],
        },
        {
            "name": "eth0",
            "hardware-address": mac,
            "ip-addresses": [
                {"ip-address": vm.ip, "ip-address-type": "ipv4", "prefix": 16},
                {
                    "ip-address": f"fe80::be24:11ff:fe00:{vm.vmid:x}",
                    "ip-address-type": "ipv6",
                    "prefix": 64,
                },
            ],
            "statistics": {
                "rx-bytes": 123456,
                "tx-bytes": 65432,
                "rx-packets": 1234,
                "tx-packets": 987,
            },
        },
    ]


def rrd_rows(vm: ProxmoxVM, now: float) -> list[dict[str, Any]]:
    """An hour of minutes, plausible and repeatable: a sine around a per-VM baseline. The
    current minute has no data yet, as in Proxmox."""
    end = int(now // 60 * 60)
    cores = int(vm.config.get("cores", 1))
    memory = int(vm.config.get("memory", 512)) * 2**20
    rows: list[dict[str, Any]] = []
    for stamp in range(end - 69 * 60, end + 60, 60):
        row: dict[str, Any] = {"time": stamp}
        if vm.status == "running" and stamp < end:
            wave = 1 + 0.5 * math.sin(stamp / 3600 + vm.vmid)
            row.update(
                cpu=round(0.04 * wave, 5),
                maxcpu=cores,
                mem=int(memory * 0.3 * wave),
                maxmem=memory,
                disk=0,
                maxdisk=disk_bytes(vm.config.get("scsi0", "")),
                diskread=round(4096 * wave, 2),
                diskwrite=round(8192 * wave, 2),
                netin=round(20000 * wave, 2),
                netout=round(50000 * wave, 2),
            )
        rows.append(row)
    return rows
