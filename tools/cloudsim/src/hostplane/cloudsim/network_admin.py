"""`/_admin/network`: the simulated providers' firewalls and additional addresses."""

from typing import Any

from fastapi import APIRouter

from hostplane.cloudsim.hetzner_network import HetznerNetwork
from hostplane.cloudsim.proxmox_firewall import ProxmoxFirewall


def network_admin_router(hetzner: HetznerNetwork, proxmox: ProxmoxFirewall) -> APIRouter:
    r = APIRouter(prefix="/_admin/network")

    @r.get("/hetzner")
    async def hetzner_network() -> Any:
        """Hetzner's Firewalls and Floating IPs, as its API shows them."""
        return {
            "firewalls": [hetzner.public_firewall(f) for f in hetzner.firewalls.values()],
            "floating_ips": [hetzner.public_floating_ip(f) for f in hetzner.floating_ips.values()],
        }

    @r.get("/proxmox")
    async def proxmox_firewalls() -> Any:
        """Each live Proxmox VM's firewall (rules, options, IP sets) by VMID."""
        return {"firewalls": proxmox.state()}

    return r
