"""A VPS's network: its firewall rules and its additional addresses, beside its Instance.

One `Network` per instance, its id a uuid5 of the instance's. An additional address is
reserved before the provider is asked for it (a Proxmox pool address is claimed in the same
transaction), then attached once the provider holds it, so a command handled again after a
crash finds its reservation and asks the provider for the same address. An `AddressClaim`
per pool address keeps an address one VPS's across every replica: two replicas claiming the
same address both create its claim's first version, and the event store keeps one.
"""

import ipaddress
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.identity import HOSTPLANE_NAMESPACE
from hostplane.contracts.network import FirewallRule


class AddressLimitReached(Exception):
    """The VPS holds as many additional addresses as it may."""


@dataclass(frozen=True)
class Address:
    """An additional address: reserved (`address` None at Hetzner until it exists), then
    attached."""

    address_id: UUID
    address: str | None
    attached: bool = False


class Network(Aggregate):
    @staticmethod
    def create_id(instance_id: UUID, **_: Any) -> UUID:
        return uuid5(HOSTPLANE_NAMESPACE, f"network:{instance_id}")

    @event("Created")
    def __init__(self, *, instance_id: UUID) -> None:
        self.instance_id = instance_id
        self.rules: tuple[FirewallRule, ...] = ()
        self.addresses: dict[UUID, Address] = {}

    # ---- firewall --------------------------------------------------------------------------

    def update_firewall(self, rules: list[FirewallRule]) -> bool:
        """Record the rules the provider now holds; False when they are those there were."""
        if tuple(rules) == self.rules:
            return False
        self._firewall_updated(
            instance_id=self.instance_id, rules=[rule.model_dump() for rule in rules]
        )
        return True

    class FirewallUpdated(Aggregate.Event):
        instance_id: UUID
        rules: list[dict[str, Any]]

    @event(FirewallUpdated)
    def _firewall_updated(self, instance_id: UUID, rules: list[dict[str, Any]]) -> None:
        self.rules = tuple(FirewallRule.model_validate(rule) for rule in rules)

    # ---- additional addresses --------------------------------------------------------------

    def reserve(self, address_id: UUID, address: str | None, limit: int) -> Address:
        """Hold a place for address `address_id` (the same again is the same reservation)."""
        if address_id in self.addresses:
            return self.addresses[address_id]
        if len(self.addresses) >= limit:
            raise AddressLimitReached(f"A VPS may have at most {limit} additional addresses")
        self._reserved(instance_id=self.instance_id, address_id=address_id, address=address)
        return self.addresses[address_id]

    @event("AddressReserved")
    def _reserved(self, instance_id: UUID, address_id: UUID, address: str | None) -> None:
        self.addresses = {**self.addresses, address_id: Address(address_id, address)}

    def attach(self, address_id: UUID, address: str, ip_version: int) -> None:
        """The provider holds the reserved address for the VPS."""
        reserved = self.addresses.get(address_id)
        if reserved is not None and not reserved.attached:
            self._attached(
                instance_id=self.instance_id,
                address_id=address_id,
                address=address,
                ip_version=ip_version,
            )

    class AddressAttached(Aggregate.Event):
        instance_id: UUID
        address_id: UUID
        address: str
        ip_version: int

    @event(AddressAttached)
    def _attached(self, instance_id: UUID, address_id: UUID, address: str, ip_version: int) -> None:
        self.addresses = {**self.addresses, address_id: Address(address_id, address, True)}

    def release(self, address_id: UUID) -> Address | None:
        """Let one address go (its attachment failed for good); returns it if it was held."""
        held = self.addresses.get(address_id)
        if held is not None:
            self._released(
                instance_id=self.instance_id, address_id=held.address_id, address=held.address
            )
        return held

    def release_all(self) -> list[Address]:
        """Let every address go (the VPS is deleted); returns those released."""
        return [held for held in map(self.release, list(self.addresses)) if held is not None]

    class AddressReleased(Aggregate.Event):
        instance_id: UUID
        address_id: UUID
        address: str | None

    @event(AddressReleased)
    def _released(self, instance_id: UUID, address_id: UUID, address: str | None) -> None:
        self.addresses = {k: v for k, v in self.addresses.items() if k != address_id}

    @property
    def attached(self) -> list[Address]:
        return [held for held in self.addresses.values() if held.attached]


class AddressClaim(Aggregate):
    """Which VPS holds an address of a Proxmox cluster's pool, if any."""

    @staticmethod
    def create_id(address: str, **_: Any) -> UUID:
        return uuid5(HOSTPLANE_NAMESPACE, f"address:{address}")

    @event("Claimed")
    def __init__(self, *, address: str, address_id: UUID) -> None:
        self.address = address
        self.address_id: UUID | None = address_id

    @property
    def free(self) -> bool:
        return self.address_id is None

    def claim(self, address_id: UUID) -> None:
        if self.address_id is None:
            self._claimed_again(address_id=address_id)

    @event("ClaimedAgain")
    def _claimed_again(self, address_id: UUID) -> None:
        self.address_id = address_id

    def release(self, address_id: UUID) -> None:
        if self.address_id == address_id:
            self._returned(address_id=address_id)

    @event("Returned")
    def _returned(self, address_id: UUID) -> None:
        self.address_id = None


def pool_addresses(pool: str) -> list[str]:
    """The addresses of a pool setting: comma-separated networks (`198.51.100.0/28`, their
    hosts) and inclusive ranges (`198.51.100.10-198.51.100.20`), in order, each once."""
    found: dict[str, None] = {}
    for part in filter(None, (p.strip() for p in pool.split(","))):
        if "-" in part:
            first, last = (ipaddress.IPv4Address(p.strip()) for p in part.split("-", 1))
            found |= {str(ipaddress.IPv4Address(n)): None for n in range(int(first), int(last) + 1)}
        else:
            found |= {str(host): None for host in ipaddress.IPv4Network(part).hosts()}
    return list(found)
