"""The plan and region catalog: what WHMCS sells, and where it lands at the provider."""

from dataclasses import dataclass
from enum import StrEnum


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


@dataclass(frozen=True)
class PlanSpec:
    server_type: str
    disk_gb: int
    memory_gb: int
    monthly_price_usd: float


@dataclass(frozen=True)
class RegionSpec:
    location: str
    datacenter: str


PLANS: dict[Plan, PlanSpec] = {
    Plan.STARTER: PlanSpec("cx22", disk_gb=40, memory_gb=4, monthly_price_usd=19.0),
    Plan.PROFESSIONAL: PlanSpec("cx32", disk_gb=80, memory_gb=8, monthly_price_usd=39.0),
    Plan.ENTERPRISE: PlanSpec("cx42", disk_gb=160, memory_gb=16, monthly_price_usd=79.0),
}

# Hetzner has no Tokyo location: the region is part of the contract's enum but not sold yet,
# so it is answered with REGION_UNAVAILABLE rather than a validation error.
REGIONS: dict[Region, RegionSpec] = {
    Region.US_EAST: RegionSpec(location="ash", datacenter="ash-dc1"),
    Region.US_WEST: RegionSpec(location="hil", datacenter="hil-dc1"),
    Region.EU_FRANKFURT: RegionSpec(location="fsn1", datacenter="fsn1-dc14"),
    Region.EU_HELSINKI: RegionSpec(location="hel1", datacenter="hel1-dc2"),
    Region.SG_SINGAPORE: RegionSpec(location="sin", datacenter="sin-dc1"),
}

SERVER_IMAGE = "ubuntu-24.04"


def datacenter_of(location: str) -> str:
    """The datacenter Hostplane reports for a provider location."""
    return next((r.datacenter for r in REGIONS.values() if r.location == location), location)


def region_available(region: Region) -> bool:
    """Whether instances can be placed in the region today."""
    return region in REGIONS
