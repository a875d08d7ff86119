"""Proxmox VE's VM firewall (`/nodes/{node}/qemu/{vmid}/firewall/...`): its rules, its
options and its IP sets, as `proxmoxer` sends them (form bodies) and Proxmox answers them.

A new rule goes first unless `pos` says where (Proxmox inserts at the top); a rule is
deleted by its position. A VM's firewall goes with the VM: a VMID used again starts bare.
"""

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hostplane.cloudsim.proxmox import Proxmox
from hostplane.cloudsim.proxmox_wire import data, error, form, refused_parameters
from hostplane.cloudsim.state import ProxmoxVM

ACTIONS = {"ACCEPT", "DROP", "REJECT"}
PROTOCOLS = {"tcp", "udp", "icmp", "icmpv6"}
# One port, a range `first:last`, or a comma-separated list of those.
DPORT = re.compile(r"^\d{1,5}(:\d{1,5})?(,\d{1,5}(:\d{1,5})?)*$")
RULE_FIELDS = ("type", "action", "proto", "dport", "sport", "source", "dest", "comment", "iface")
OPTION_DEFAULTS = {"enable": 0, "policy_in": "DROP", "policy_out": "ACCEPT", "ipfilter": 0}


@dataclass
class VmFirewall:
    vm: ProxmoxVM  # whose firewall it is (a VMID given again is another VM)
    rules: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=lambda: dict(OPTION_DEFAULTS))
    ipsets: dict[str, list[str]] = field(default_factory=dict)


def _refused_rule(params: dict[str, str]) -> JSONResponse | None:
    refused = refused_parameters(params, required=("action", "type"), integers=("pos", "enable"))
    if refused is not None:
        return refused
    errors = {}
    if params["action"] not in ACTIONS:
        errors["action"] = f"value '{params['action']}' does not look like a valid action"
    if params["type"] not in {"in", "out"}:
        errors["type"] = f"value '{params['type']}' does not have a value in the enumeration"
    if "proto" in params and params["proto"] not in PROTOCOLS:
        errors["proto"] = f"unknown protocol '{params['proto']}'"
    if "dport" in params and not DPORT.match(params["dport"]):
        errors["dport"] = f"invalid port '{params['dport']}'"
    for name in ("source", "dest"):
        if name in params:
            try:
                ipaddress.ip_network(params[name], strict=False)
            except ValueError:
                errors[name] = f"invalid IP address format '{params[name]}'"
    return error(400, "Parameter verification failed.", errors) if errors else None


class ProxmoxFirewall:
    def __init__(self, proxmox: Proxmox) -> None:
        self.proxmox = proxmox
        self.firewalls: dict[int, VmFirewall] = {}
        self.router = APIRouter()
        self._rule_routes()
        self._option_routes()
        self._ipset_routes()

    def of(self, node: str, vmid: int) -> VmFirewall | JSONResponse:
        vm = self.proxmox.vm(node, vmid)
        if isinstance(vm, JSONResponse):
            return vm
        held = self.firewalls.get(vmid)
        if held is None or held.vm is not vm:
            held = self.firewalls[vmid] = VmFirewall(vm)
        return held

    def state(self) -> dict[str, Any]:
        """Every live VM's firewall, for `/_admin/proxmox/firewalls`."""
        return {
            str(vmid): {"rules": f.rules, "options": f.options, "ipsets": f.ipsets}
            for vmid, f in self.firewalls.items()
            if self.proxmox.cluster.vms.get(vmid) is f.vm
        }

    def _rule_routes(self) -> None:
        r = self.router
        base = "/nodes/{node}/qemu/{vmid}/firewall/rules"

        @r.get(base)
        async def rules(node: str, vmid: int) -> Any:
            held = self.of(node, vmid)
            if isinstance(held, JSONResponse):
                return held
            return data([{**rule, "pos": pos} for pos, rule in enumerate(held.rules)])

        @r.post(base)
        async def add_rule(node: str, vmid: int, request: Request) -> Any:
            held, params = self.of(node, vmid), (await form(request)).fields
            refused = None if isinstance(held, JSONResponse) else _refused_rule(params)
            if isinstance(held, JSONResponse) or refused is not None:
                return held if isinstance(held, JSONResponse) else refused
            rule: dict[str, Any] = {k: params[k] for k in RULE_FIELDS if k in params}
            rule["enable"] = int(params.get("enable", 0))
            held.rules.insert(int(params.get("pos", 0)), rule)
            return data(None)

        @r.get(base + "/{pos}")
        async def rule(node: str, vmid: int, pos: int) -> Any:
            held = self.of(node, vmid)
            if isinstance(held, JSONResponse):
                return held
            if not 0 <= pos < len(held.rules):
                return error(500, "no rule at position " + str(pos))
            return data({**held.rules[pos], "pos": pos})

        @r.delete(base + "/{pos}")
        async def delete_rule(node: str, vmid: int, pos: int) -> Any:
            held = self.of(node, vmid)
            if isinstance(held, JSONResponse):
                return held
            if not 0 <= pos < len(held.rules):
                return error(500, "no rule at position " + str(pos))
            del held.rules[pos]
            return data(None)

    def _option_routes(self) -> None:
        r = self.router
        path = "/nodes/{node}/qemu/{vmid}/firewall/options"

        @r.get(path)
        async def options(node: str, vmid: int) -> Any:
            held = self.of(node, vmid)
            return held if isinstance(held, JSONResponse) else data(held.options)

        @r.put(path)
        async def set_options(node: str, vmid: int, request: Request) -> Any:
            held, params = self.of(node, vmid), (await form(request)).fields
            refused = refused_parameters(params, integers=("enable", "ipfilter"))
            if isinstance(held, JSONResponse) or refused is not None:
                return held if isinstance(held, JSONResponse) else refused
            for key, value in params.items():
                held.options[key] = int(value) if key in ("enable", "ipfilter") else value
            return data(None)

    def _ipset_routes(self) -> None:
        r = self.router
        base = "/nodes/{node}/qemu/{vmid}/firewall/ipset"

        @r.get(base)
        async def ipsets(node: str, vmid: int) -> Any:
            held = self.of(node, vmid)
            if isinstance(held, JSONResponse):
                return held
            return data([{"name": name} for name in held.ipsets])

        @r.post(base)
        async def create_ipset(node: str, vmid: int, request: Request) -> Any:
            held, params = self.of(node, vmid), (await form(request)).fields
            refused = refused_parameters(params, required=("name",))
            if isinstance(held, JSONResponse) or refused is not None:
                return held if isinstance(held, JSONResponse) else refused
            if params["name"] in held.ipsets:
                return error(500, f"IPSet '{params['name']}' already exists")
            held.ipsets[params["name"]] = []
            return data(None)

        @r.get(base + "/{name}")
        async def entries(node: str, vmid: int, name: str) -> Any:
            held = self.of(node, vmid)
            if isinstance(held, JSONResponse):
                return held
            if name not in held.ipsets:
                return error(500, f"no such IPSet '{name}'")
            return data([{"cidr": cidr} for cidr in held.ipsets[name]])

        @r.post(base + "/{name}")
        async def add_entry(node: str, vmid: int, name: str, request: Request) -> Any:
            held, params = self.of(node, vmid), (await form(request)).fields
            refused = refused_parameters(params, required=("cidr",))
            if isinstance(held, JSONResponse) or refused is not None:
                return held if isinstance(held, JSONResponse) else refused
            if name not in held.ipsets:
                return error(500, f"no such IPSet '{name}'")
            if params["cidr"] in held.ipsets[name]:
                return error(500, f"entry '{params['cidr']}' already exists")
            held.ipsets[name].append(params["cidr"])
            return data(None)

        @r.delete(base + "/{name}/{cidr:path}")
        async def delete_entry(node: str, vmid: int, name: str, cidr: str) -> Any:
            held = self.of(node, vmid)
            if isinstance(held, JSONResponse):
                return held
            if cidr not in held.ipsets.get(name, []):
                return error(500, f"no such IP/Network '{cidr}'")
            held.ipsets[name].remove(cidr)
            return data(None)
