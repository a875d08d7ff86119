"""`/_admin`: what tests and benchmarks use to look inside cloudsim and to inject failures."""

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request

from hostplane.cloudsim.faults import Faults, fault_json, parse_faults
from hostplane.cloudsim.hetzner import Hetzner
from hostplane.cloudsim.powerdns import canonical
from hostplane.cloudsim.state import World


def admin_router(world: World, faults: Faults) -> APIRouter:
    r = APIRouter(prefix="/_admin")

    @r.get("/health")
    async def health() -> Any:
        return {"status": "ok"}

    @r.post("/reset")
    async def reset() -> Any:
        world.reset()
        faults.rules.clear()
        return {"reset": True}

    @r.get("/state")
    async def state() -> Any:
        return {
            "servers": [Hetzner.public(s) for s in world.servers.values()],
            "dns_records": list(world.records.values()),
            "callbacks": world.callbacks,
            "request_counts": world.request_counts,
            "route_counts": world.route_counts(),
            "status_counts": world.status_counts,
        }

    @r.get("/powerdns/records")
    async def powerdns_records(name: str | None = None) -> Any:
        """PowerDNS's RRsets, each with its zone: all of them, or those named `name`."""
        return [
            {"zone": zone, **rrset}
            for zone, rrsets in world.powerdns_rrsets.items()
            for rrset in rrsets.values()
            if name is None or rrset["name"] == canonical(name)
        ]

    @r.get("/proxmox/vms")
    async def proxmox_vms() -> Any:
        """Proxmox's VMs (the template too, once the API was used) with node, state, config."""
        return [asdict(vm) for vm in world.proxmox.vms.values()]

    @r.get("/proxmox/volumes")
    async def proxmox_volumes() -> Any:
        """The files uploaded to Proxmox's storages, by node."""
        return [
            {"node": key.split("/", 1)[0], "volid": key.split("/", 1)[1], "size": len(content)}
            for key, content in world.proxmox.volumes.items()
        ]

    @r.get("/config")
    async def get_config() -> Any:
        return asdict(world.config)

    @r.put("/config")
    async def put_config(request: Request) -> Any:
        for key, value in (await request.json()).items():
            if hasattr(world.config, key):
                setattr(world.config, key, value)
        world.rng.seed(world.config.seed)
        return asdict(world.config)

    @r.get("/faults")
    async def list_faults() -> Any:
        return [fault_json(f) for f in faults.rules]

    @r.post("/faults", status_code=201)
    async def add_faults(request: Request) -> Any:
        added = parse_faults(await request.json())
        faults.rules.extend(added)
        return [fault_json(f) for f in added]

    @r.delete("/faults")
    async def clear_faults() -> Any:
        faults.rules.clear()
        return []

    @r.delete("/faults/{fault_id}")
    async def delete_fault(fault_id: int) -> Any:
        faults.rules[:] = [f for f in faults.rules if f.id != fault_id]
        return [fault_json(f) for f in faults.rules]

    return r
