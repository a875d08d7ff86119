"""The plan and region catalog: what is sold, and where and how it lands at a provider.

Plans and regions are the contract's enums. Which provider serves a region, and what a plan
is at each provider, is configuration (`REGIONS`, `PLANS` in settings); the defaults below
place every region but Tokyo at Hetzner. A region missing from the configuration is not sold:
it is answered with REGION_UNAVAILABLE rather than a validation error.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Plan(StrEnum):
    STARTER = "starter"
    PROFESSIONAL = "professional"
    ENTERPRISE = "enterprise"


class Region(StrEnum):
    US_EAST = "us-east"
    US_WEST = "us-west"
    EU_FRANKFURT = "eu-frankfurt"
    EU_HELSINKI = "eu-helsinki"
    SG_SINGAPORE = "sg-singapore"
    JP_TOKYO = "jp-tokyo"


class PlanSpec(BaseModel):
    """What a plan is at each provider: a Hetzner server type, or a Proxmox VM of a size."""

    model_config = ConfigDict(frozen=True)

    server_type: str  # Hetzner's server type
    vm_template: int  # the Proxmox template VM a new VM is cloned from
    cores: int
    memory_mb: int
    disk_gb: int
    monthly_price_usd: float
    traffic_gb: int = 20_000  # outgoing traffic included a month

    @property
    def memory_gb(self) -> int:
        return self.memory_mb // 1024

    def size_at(self, provider: str) -> str:
        """The name a provider gives the plan's size: Hetzner's server type, or a VM's
        cores and memory on Proxmox (`2c-4096m`)."""
        if provider == "hetzner":
            return self.server_type
        return f"{self.cores}c-{self.memory_mb}m"


class HetznerRegion(BaseModel):
    """A region served by a Hetzner Cloud location."""

    model_config = ConfigDict(frozen=True)

    provider: Literal["hetzner"] = "hetzner"
    location: str
    datacenter: str  # what Hostplane reports


class ProxmoxRegion(BaseModel):
    """A region served by the Proxmox VE cluster's nodes; a new VM goes to the node among
    them with the most free memory."""

    model_config = ConfigDict(frozen=True)

    provider: Literal["proxmox"] = "proxmox"
    nodes: list[str] = Field(min_length=1)
    datacenter: str
    storage: str = "local-lvm"  # where cloned disks and cloud-init drives live

    @property
    def location(self) -> str:
        return self.datacenter


RegionSpec = Annotated[HetznerRegion | ProxmoxRegion, Field(discriminator="provider")]
Provider = Literal["hetzner", "proxmox"]

PLANS: dict[Plan, PlanSpec] = {
    Plan.STARTER: PlanSpec(
        server_type="cx22",
        vm_template=9000,
        cores=2,
        memory_mb=4096,
        disk_gb=40,
        monthly_price_usd=19.0,
    ),
    Plan.PROFESSIONAL: PlanSpec(
        server_type="cx32",
        vm_template=9000,
        cores=4,
        memory_mb=8192,
        disk_gb=80,
        monthly_price_usd=39.0,
    ),
    Plan.ENTERPRISE: PlanSpec(
        server_type="cx42",
        vm_template=9000,
        cores=8,
        memory_mb=16384,
        disk_gb=160,
        monthly_price_usd=79.0,
    ),
}

REGIONS: dict[Region, HetznerRegion | ProxmoxRegion] = {
    Region.US_EAST: HetznerRegion(location="ash", datacenter="ash-dc1"),
    Region.US_WEST: HetznerRegion(location="hil", datacenter="hil-dc1"),
    Region.EU_FRANKFURT: HetznerRegion(location="fsn1", datacenter="fsn1-dc14"),
    Region.EU_HELSINKI: HetznerRegion(location="hel1", datacenter="hel1-dc2"),
    Region.SG_SINGAPORE: HetznerRegion(location="sin", datacenter="sin-dc1"),
}

SERVER_IMAGE = "ubuntu-24.04"
# The operating systems a VPS may be rebuilt with: seed 003's `operating_system` slug, and the
# image of that name at the provider (Hetzner's system images; a Proxmox template's name).
OPERATING_SYSTEMS: dict[str, str] = {
    slug: slug for slug in ("ubuntu-24.04", "ubuntu-22.04", "debian-12", "debian-11", "rocky-9")
}
