"""What a VPS's network events change in the read models (no I/O): its firewall's rules, and
its additional addresses."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class FirewallSaved:
    """The VPS's rules as of its network's `version` (an older event changes nothing)."""

    instance_id: UUID
    network_id: UUID
    version: int
    rules: list[dict[str, Any]]
    at: datetime


@dataclass(frozen=True)
class AddressSaved:
    """An additional address the VPS holds (an address attached once is one row)."""

    address_id: UUID
    instance_id: UUID
    address: str
    ip_version: int
    at: datetime


@dataclass(frozen=True)
class AddressGone:
    """An additional address the VPS no longer holds."""

    address_id: UUID
    at: datetime


NetworkChange = FirewallSaved | AddressSaved | AddressGone
