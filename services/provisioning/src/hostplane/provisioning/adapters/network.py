"""The `NetworkProvider` port: a VPS's firewall and additional addresses at its provider.

Hetzner Cloud (`hetzner_network.py`: a Firewall and Floating IPs) and Proxmox VE
(`proxmox_network.py`: the VM's firewall, addresses of the cluster's pool) implement it.
Every method is safe to repeat: what it makes carries the instance's id (and an address its
address id) and is looked up before it is made; releasing is "make sure it is gone".
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from hostplane.contracts.network import FirewallRule
from hostplane.provisioning.domain.instance import ServerFacts


@dataclass(frozen=True)
class VpsServer:
    """The server a network change is for, and where it is."""

    instance_id: UUID
    facts: ServerFacts
    location: str


@dataclass(frozen=True)
class AttachedAddress:
    address: str
    ip_version: int


class NetworkProvider(Protocol):
    """Firewalls and additional addresses where an instance's server runs."""

    @property
    def pooled(self) -> bool:
        """Whether additional addresses come from Hostplane's pool (else the provider's)."""
        ...

    def apply_firewall(self, server: VpsServer, rules: Sequence[FirewallRule]) -> None:
        """Make the server's firewall hold exactly `rules` (and be on)."""
        ...

    def attach_address(
        self, server: VpsServer, address_id: UUID, address: str | None
    ) -> AttachedAddress:
        """Give the server address `address_id`: the pool's `address`, or (None) one the
        provider allocates; the same `address_id` again is the same address."""
        ...

    def release_addresses(self, instance_id: UUID, addresses: Sequence[str]) -> None:
        """Make sure no additional address of the instance is held for it any more."""
        ...
