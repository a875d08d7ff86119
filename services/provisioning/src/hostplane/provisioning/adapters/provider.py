"""The `ServerProvider` port: what provisioning asks of a cloud or a hypervisor.

Hetzner Cloud (`hetzner.py`) and Proxmox VE (`proxmox.py`) implement it; which one serves an
instance is decided by its region (settings `REGIONS`) when it is created, and recorded.

Every method is safe to repeat. A server carries its instance's id (in its name and its
labels or tags) and is looked up by it before one is created; deleting is "make sure it is
gone"; power and size changes that already hold do nothing. Failures for good raise
`hostplane.providers.errors.ProviderError`; transient ones are retried inside the adapter.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from hostplane.contracts.catalog import HetznerRegion, PlanSpec, Provider, ProxmoxRegion
from hostplane.contracts.telemetry import ServerUsage
from hostplane.provisioning.adapters.backups import ServerBackups
from hostplane.provisioning.domain.instance import ServerFacts


@dataclass(frozen=True)
class ServerSpec:
    """The server an instance asks for."""

    instance_id: UUID
    plan: PlanSpec
    region: HetznerRegion | ProxmoxRegion
    image: str
    user_data: str  # cloud-config, carrying the ready callback
    ssh_key_ids: list[str]


@dataclass(frozen=True)
class CreatedServer:
    facts: ServerFacts
    # What to watch for the end of the boot: the provider's action or task id. None for a
    # server found (not created) by a retried step, whose boot is waited for by instance.
    boot: str | None


@dataclass(frozen=True)
class BootState:
    boot: str
    status: Literal["running", "success", "error"]
    error: str | None = None


@dataclass(frozen=True)
class ConsoleAccess:
    """A short-lived way into the server's console (VNC over a websocket)."""

    url: str
    password: str
    expires_at: datetime


class ServerProvider(ServerBackups, Protocol):
    """A place servers run: a cloud project or a hypervisor cluster (and keeps their
    backups)."""

    @property
    def name(self) -> Provider: ...

    @property
    def poll_interval_s(self) -> float: ...

    def ensure_server(self, spec: ServerSpec) -> CreatedServer:
        """The instance's server: found by its instance id, or created (once)."""
        ...

    def boot_states(self, boots: Sequence[str]) -> list[BootState]:
        """How the given boots stand, in as few requests as the provider allows."""
        ...

    def wait_started(self, instance_id: UUID) -> None:
        """Block until the instance's server runs (for a server found, not created)."""
        ...

    def ensure_deleted(self, instance_id: UUID) -> bool:
        """Make sure no server of the instance exists; True if one was deleted."""
        ...

    def power_off(self, instance_id: UUID) -> None:
        """Stop the server (already off is fine)."""
        ...

    def power_on(self, instance_id: UUID) -> None:
        """Start the server (already running is fine)."""
        ...

    def reboot(self, instance_id: UUID) -> None:
        """Restart the server."""
        ...

    def resize(self, instance_id: UUID, plan: PlanSpec, start_after: bool) -> None:
        """Give the server the plan's size (disks only grow), running again if asked."""
        ...

    def rebuild(self, instance_id: UUID, image: str, ssh_keys: list[str]) -> None:
        """Write the server's disk anew from `image` (what was on it is gone), letting in
        `ssh_keys`; the server runs afterwards."""
        ...

    def usage(self) -> list[ServerUsage]:
        """The latest resource usage of every running Hostplane server of this provider."""
        ...

    def console(self, instance_id: UUID) -> ConsoleAccess:
        """Access to the server's console, valid for a short while."""
        ...
