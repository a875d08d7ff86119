"""Hetzner Cloud's Firewalls and Floating IPs (API v1), as the `hcloud` client uses them.

A Firewall's rules only allow (`in` needs `source_ips`, `out` `destination_ips`; tcp and udp
need a `port`, a number or a range `a-b`); it applies to servers by id. A Floating IP is
homed in a location and assigned to at most one server. Their actions finish at once.
"""

import ipaddress
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from hostplane.cloudsim import catalog
from hostplane.cloudsim.hetzner import error, label_matches, paginated
from hostplane.cloudsim.state import World, now

PORT = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")
PROTOCOLS = {"tcp", "udp", "icmp", "esp", "gre"}
# Floating IPv4s come from a documentation range of their own, apart from servers' addresses.
FLOATING = ipaddress.IPv4Network("198.18.0.0/15")


def _invalid(message: str) -> JSONResponse:
    return error(422, "invalid_input", message)


def _rule_refused(rule: dict[str, Any]) -> str | None:
    direction, protocol, port = rule.get("direction"), rule.get("protocol"), rule.get("port")
    if direction not in {"in", "out"} or protocol not in PROTOCOLS:
        return "invalid direction or protocol"
    ips = rule.get("source_ips" if direction == "in" else "destination_ips") or []
    if not ips:
        return f"{'source_ips' if direction == 'in' else 'destination_ips'} is required"
    try:
        for ip in ips:
            ipaddress.ip_network(ip, strict=True)
    except ValueError:
        return "invalid CIDR in rule"
    if protocol in {"tcp", "udp"}:
        match = PORT.match(str(port or ""))
        if match is None or not 1 <= int(match[1]) <= int(match[2] or match[1]) <= 65535:
            return "port is required for tcp and udp (a port or a range a-b)"
    elif port is not None:
        return f"port is not allowed for {protocol}"
    return None


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "direction": rule["direction"],
        "protocol": rule["protocol"],
        "port": rule.get("port"),
        "source_ips": list(rule.get("source_ips") or []),
        "destination_ips": list(rule.get("destination_ips") or []),
        "description": rule.get("description"),
    }


class HetznerNetwork:
    def __init__(self, world: World) -> None:
        self.world = world
        self.firewalls: dict[int, dict[str, Any]] = {}
        self.floating_ips: dict[int, dict[str, Any]] = {}
        self._next_floating = 0
        self.router = APIRouter()
        self._firewall_routes()
        self._floating_ip_routes()

    def _done(self, command: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
        action = self.world.new_action(command, resources)
        self.world.finish(action)
        return action

    def _applied(self, firewall: dict[str, Any], apply_to: list[dict[str, Any]]) -> str | None:
        for resource in apply_to:
            server_id = (resource.get("server") or {}).get("id")
            if resource.get("type") != "server" or server_id not in self.world.servers:
                return "apply_to names no existing server"
        for resource in apply_to:
            server_id = resource["server"]["id"]
            if server_id not in {a["server"]["id"] for a in firewall["applied_to"]}:
                firewall["applied_to"].append(
                    {"type": "server", "server": {"id": server_id}, "applied_to_resources": []}
                )
        return None

    def public_firewall(self, firewall: dict[str, Any]) -> dict[str, Any]:
        # A deleted server no longer holds the Firewall.
        firewall["applied_to"] = [
            a for a in firewall["applied_to"] if a["server"]["id"] in self.world.servers
        ]
        return firewall

    def _firewall_routes(self) -> None:
        r = self.router

        @r.get("/firewalls")
        async def list_firewalls(request: Request) -> Any:
            q = request.query_params
            found = [
                self.public_firewall(f)
                for f in self.firewalls.values()
                if (not q.get("name") or f["name"] == q["name"])
                and (not q.get("label_selector") or label_matches(f["labels"], q["label_selector"]))
            ]
            return paginated("firewalls", found, request)

        @r.post("/firewalls", status_code=201)
        async def create_firewall(request: Request) -> Any:
            body = await request.json()
            if not body.get("name"):
                return _invalid("name is required")
            if any(f["name"] == body["name"] for f in self.firewalls.values()):
                return error(409, "uniqueness_error", "firewall name is already used")
            refused = next(filter(None, map(_rule_refused, body.get("rules") or [])), None)
            if refused:
                return _invalid(refused)
            firewall_id = self.world.next_id()
            firewall = {
                "id": firewall_id,
                "name": body["name"],
                "labels": dict(body.get("labels") or {}),
                "created": now(),
                "rules": [_rule(rule) for rule in body.get("rules") or []],
                "applied_to": [],
            }
            if refused := self._applied(firewall, body.get("apply_to") or []):
                return _invalid(refused)
            self.firewalls[firewall_id] = firewall
            resources = [{"id": firewall_id, "type": "firewall"}]
            actions = [self._done("set_firewall_rules", resources)]
            actions += [
                self._done(
                    "apply_firewall", [*resources, {"id": a["server"]["id"], "type": "server"}]
                )
                for a in firewall["applied_to"]
            ]
            return {"firewall": firewall, "actions": actions}

        @r.get("/firewalls/{firewall_id}")
        async def get_firewall(firewall_id: int) -> Any:
            firewall = self.firewalls.get(firewall_id)
            if firewall is None:
                return error(404, "not_found", "firewall not found")
            return {"firewall": self.public_firewall(firewall)}

        @r.delete("/firewalls/{firewall_id}")
        async def delete_firewall(firewall_id: int) -> Any:
            firewall = self.firewalls.get(firewall_id)
            if firewall is None:
                return error(404, "not_found", "firewall not found")
            if self.public_firewall(firewall)["applied_to"]:
                return error(422, "resource_in_use", "firewall is still applied to a resource")
            del self.firewalls[firewall_id]
            return Response(status_code=204)

        @r.post("/firewalls/{firewall_id}/actions/set_rules", status_code=201)
        async def set_rules(firewall_id: int, request: Request) -> Any:
            firewall = self.firewalls.get(firewall_id)
            if firewall is None:
                return error(404, "not_found", "firewall not found")
            rules = (await request.json()).get("rules") or []
            if refused := next(filter(None, map(_rule_refused, rules)), None):
                return _invalid(refused)
            firewall["rules"] = [_rule(rule) for rule in rules]
            return {
                "actions": [
                    self._done("set_firewall_rules", [{"id": firewall_id, "type": "firewall"}])
                ]
            }

        @r.post("/firewalls/{firewall_id}/actions/apply_to_resources", status_code=201)
        async def apply_to_resources(firewall_id: int, request: Request) -> Any:
            firewall = self.firewalls.get(firewall_id)
            if firewall is None:
                return error(404, "not_found", "firewall not found")
            apply_to = (await request.json()).get("apply_to") or []
            if refused := self._applied(firewall, apply_to):
                return _invalid(refused)
            resources = [{"id": firewall_id, "type": "firewall"}]
            return {"actions": [self._done("apply_firewall", resources)]}

    def _floating_ip(self, body: dict[str, Any]) -> dict[str, Any] | JSONResponse:
        server_id = body.get("server")
        location = body.get("home_location")
        if server_id is not None:
            server = self.world.servers.get(server_id)
            if server is None:
                return _invalid("server not found")
            location = location or server["location"]["name"]
        if body.get("type") not in {"ipv4", "ipv6"} or location not in catalog.DATACENTER_NAMES:
            return _invalid("type must be ipv4 or ipv6, with a known home_location or a server")
        floating_id = self.world.next_id()
        name = body.get("name") or f"Floating IP-{floating_id}"
        if any(f["name"] == name for f in self.floating_ips.values()):
            return error(409, "uniqueness_error", "floating ip name is already used")
        address = str(FLOATING[self._next_floating + 1])
        self._next_floating += 1
        return {
            "id": floating_id,
            "name": name,
            "description": body.get("description"),
            "ip": address,
            "type": body["type"],
            "server": server_id,
            "dns_ptr": [{"ip": address, "dns_ptr": f"static.{address}.clients.your-server.de"}],
            "home_location": catalog.by_name(catalog.LOCATIONS, str(location)),
            "blocked": False,
            "protection": {"delete": False},
            "labels": dict(body.get("labels") or {}),
            "created": now(),
        }

    def public_floating_ip(self, floating: dict[str, Any]) -> dict[str, Any]:
        if floating["server"] not in self.world.servers:
            floating["server"] = None  # its server was deleted
        return floating

    def _floating_ip_routes(self) -> None:
        r = self.router

        @r.get("/floating_ips")
        async def list_floating_ips(request: Request) -> Any:
            q = request.query_params
            found = [
                self.public_floating_ip(f)
                for f in self.floating_ips.values()
                if (not q.get("name") or f["name"] == q["name"])
                and (not q.get("label_selector") or label_matches(f["labels"], q["label_selector"]))
            ]
            return paginated("floating_ips", found, request)

        @r.post("/floating_ips", status_code=201)
        async def create_floating_ip(request: Request) -> Any:
            floating = self._floating_ip(await request.json())
            if isinstance(floating, JSONResponse):
                return floating
            self.floating_ips[floating["id"]] = floating
            action = None
            if floating["server"] is not None:
                action = self._done("assign_floating_ip", self._resources(floating))
            return {"floating_ip": floating, "action": action}

        @r.get("/floating_ips/{floating_id}")
        async def get_floating_ip(floating_id: int) -> Any:
            floating = self.floating_ips.get(floating_id)
            if floating is None:
                return error(404, "not_found", "floating ip not found")
            return {"floating_ip": self.public_floating_ip(floating)}

        @r.delete("/floating_ips/{floating_id}")
        async def delete_floating_ip(floating_id: int) -> Any:
            if self.floating_ips.pop(floating_id, None) is None:
                return error(404, "not_found", "floating ip not found")
            return Response(status_code=204)

        @r.post("/floating_ips/{floating_id}/actions/assign", status_code=201)
        async def assign(floating_id: int, request: Request) -> Any:
            floating = self.floating_ips.get(floating_id)
            if floating is None:
                return error(404, "not_found", "floating ip not found")
            server_id = (await request.json()).get("server")
            if server_id not in self.world.servers:
                return _invalid("server not found")
            floating["server"] = server_id
            return {"action": self._done("assign_floating_ip", self._resources(floating))}

        @r.post("/floating_ips/{floating_id}/actions/unassign", status_code=201)
        async def unassign(floating_id: int) -> Any:
            floating = self.floating_ips.get(floating_id)
            if floating is None:
                return error(404, "not_found", "floating ip not found")
            resources = self._resources(floating)
            floating["server"] = None
            return {"action": self._done("unassign_floating_ip", resources)}

    @staticmethod
    def _resources(floating: dict[str, Any]) -> list[dict[str, Any]]:
        resources = [{"id": floating["id"], "type": "floating_ip"}]
        if floating["server"] is not None:
            resources.append({"id": floating["server"], "type": "server"})
        return resources
