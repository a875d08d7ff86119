"""This host's load, memory and disk, as the system health reports them (Linux)."""

import asyncio
import os
import shutil
from pathlib import Path

from hostplane.gateway.application.cloudvps.admin import HostUsage

MEMINFO = Path("/proc/meminfo")


def _memory_percent() -> float:
    """Memory in use: what the kernel does not count as available (`MemAvailable`)."""
    fields = dict(line.split(":", 1) for line in MEMINFO.read_text().splitlines() if ":" in line)
    total = int(fields["MemTotal"].split()[0])
    available = int(fields["MemAvailable"].split()[0])
    return round(100 * (total - available) / total, 1) if total else 0.0


def _usage(path: str) -> HostUsage:
    disk = shutil.disk_usage(path)
    return HostUsage(
        load=round(os.getloadavg()[0], 2),
        memory_percent=_memory_percent(),
        disk_percent=round(100 * disk.used / disk.total, 1) if disk.total else 0.0,
    )


class LocalHost:
    def __init__(self, path: str = "/") -> None:
        self._path = path

    async def usage(self) -> HostUsage:
        return await asyncio.to_thread(_usage, self._path)
