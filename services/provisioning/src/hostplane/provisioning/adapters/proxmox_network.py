"""A VPS's network on Proxmox VE: the VM's own firewall, and addresses of Hostplane's pool.

The firewall's rules are the VM's (`/nodes/{node}/qemu/{vmid}/firewall/rules`), replaced as
a whole when they differ from those wanted (Proxmox inserts a new rule at the top, so they
are added last first), and the firewall is switched on with incoming traffic dropped unless
a rule accepts it (`/firewall/options`). The cluster's routed pool (`PROXMOX_IP_POOL`) hands
out additional addresses; Hostplane allocates them, and an address is the VM's once it is in
the VM's `ipfilter-net0` IP set beside its primary one, the set Proxmox's IP filter lets the
VM send from. The VM's firewall, sets included, goes when the VM is destroyed.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from hostplane.contracts.network import FirewallRule
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.network import AttachedAddress, VpsServer
from hostplane.provisioning.adapters.proxmox_api import Guest, ProxmoxApi, reported

IP_FILTER = "ipfilter-net0"


def proxmox_rule(rule: FirewallRule) -> dict[str, Any]:
    """A rule as Proxmox's form fields (its ranges are `first:last`)."""
    fields: dict[str, Any] = {
        "type": rule.direction,
        "action": rule.action.upper(),
        "proto": rule.protocol,
        "source" if rule.direction == "in" else "dest": rule.cidr,
        "enable": 1,
    }
    if rule.ports is not None:
        fields["dport"] = rule.ports.replace("-", ":")
    if rule.description:
        fields["comment"] = rule.description
    return fields


def _listed(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule Proxmox lists, in the shape `proxmox_rule` sends."""
    keys = ("type", "action", "proto", "source", "dest", "enable", "dport", "comment")
    return {key: rule[key] for key in keys if rule.get(key) not in (None, "")}


class ProxmoxNetwork:
    def __init__(self, api: ProxmoxApi) -> None:
        self._api = api

    @property
    def pooled(self) -> bool:
        return True

    def apply_firewall(self, server: VpsServer, rules: Sequence[FirewallRule]) -> None:
        """The VM's firewall holds `rules`, on, dropping what they do not accept."""
        with reported("FIREWALL_FAILED"):
            guest = self._guest(server.instance_id)
            path = f"{guest.path}/firewall"
            wanted = [proxmox_rule(rule) for rule in rules]
            held = self._api.call("GET", f"{path}/rules")
            if [_listed(rule) for rule in sorted(held, key=lambda r: int(r["pos"]))] != wanted:
                for pos in sorted((int(rule["pos"]) for rule in held), reverse=True):
                    self._api.call("DELETE", f"{path}/rules/{pos}")
                for fields in reversed(wanted):
                    self._api.call("POST", f"{path}/rules", **fields)
            self._api.call("PUT", f"{path}/options", enable=1, policy_in="DROP")

    def attach_address(
        self, server: VpsServer, address_id: UUID, address: str | None
    ) -> AttachedAddress:
        """Put the pool's `address` in the VM's IP filter set, beside its primary one."""
        if address is None:
            raise ProviderError("ADDRESS_FAILED", "Proxmox addresses come from the pool")
        with reported("ADDRESS_FAILED"):
            guest = self._guest(server.instance_id)
            self._ensure_in_filter(guest, [server.facts.ip_address, address])
        return AttachedAddress(address, 4)

    def release_addresses(self, instance_id: UUID, addresses: Sequence[str]) -> None:
        """Take the addresses out of the VM's IP filter set, if the VM is still there."""
        with reported("ADDRESS_FAILED"):
            guest = next((g for g in self._api.guests() if g.is_of(instance_id)), None)
            if guest is None:
                return
            held = self._filter(guest)
            for address in addresses:
                if f"{address}/32" in held or address in held:
                    cidr = address if address in held else f"{address}/32"
                    self._api.call("DELETE", f"{guest.path}/firewall/ipset/{IP_FILTER}/{cidr}")

    def _guest(self, instance_id: UUID) -> Guest:
        guest = next((g for g in self._api.guests() if g.is_of(instance_id)), None)
        if guest is None:
            raise ProviderError("SERVER_NOT_FOUND", f"no VM for instance {instance_id}")
        return guest

    def _filter(self, guest: Guest) -> set[str]:
        sets = {row["name"] for row in self._api.call("GET", f"{guest.path}/firewall/ipset")}
        if IP_FILTER not in sets:
            return set()
        rows = self._api.call("GET", f"{guest.path}/firewall/ipset/{IP_FILTER}")
        return {str(row["cidr"]) for row in rows}

    def _ensure_in_filter(self, guest: Guest, addresses: list[str]) -> None:
        sets = {row["name"] for row in self._api.call("GET", f"{guest.path}/firewall/ipset")}
        if IP_FILTER not in sets:
            self._api.call("POST", f"{guest.path}/firewall/ipset", name=IP_FILTER)
        held = self._filter(guest)
        for address in addresses:
            if address not in held and f"{address}/32" not in held:
                self._api.call("POST", f"{guest.path}/firewall/ipset/{IP_FILTER}", cidr=address)
