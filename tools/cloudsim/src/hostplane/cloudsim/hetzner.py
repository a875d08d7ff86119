"""The Hetzner Cloud API (v1) as the `hcloud` client uses it."""

import asyncio
import math
import re
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from hostplane.cloudsim import catalog
from hostplane.cloudsim.callback import ReadyCallback
from hostplane.cloudsim.faults import action_should_fail
from hostplane.cloudsim.state import World, now


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status)


def paginated(key: str, items: list[dict[str, Any]], request: Request) -> dict[str, Any]:
    page = int(request.query_params.get("page", 1))
    per_page = int(request.query_params.get("per_page", 25))
    total = len(items)
    last = max(1, math.ceil(total / per_page))
    return {
        key: items[(page - 1) * per_page : page * per_page],
        "meta": {
            "pagination": {
                "page": page,
                "per_page": per_page,
                "previous_page": page - 1 if page > 1 else None,
                "next_page": page + 1 if page < last else None,
                "last_page": last,
                "total_entries": total,
            }
        },
    }


def _split_selector(selector: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [p for p in [*parts, current.strip()] if p]


def label_matches(labels: dict[str, str], selector: str) -> bool:
    """Hetzner's label selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (…)`."""
    for term in _split_selector(selector):
        if match := re.fullmatch(r"(\S+)\s+(in|notin)\s+\((.*)\)", term):
            key, op, values = match[1], match[2], {v.strip() for v in match[3].split(",")}
            if (labels.get(key) in values) != (op == "in"):
                return False
        elif "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif term not in labels:
            return False
    return True


class Hetzner:
    def __init__(self, world: World) -> None:
        self.world = world
        self.tasks: set[asyncio.Task[None]] = set()
        self._ready = ReadyCallback(world)
        self.router = APIRouter()
        self._routes()

    # ---- background work, as the real platform does it asynchronously -------------------

    def later(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _complete(
        self,
        action: dict[str, Any],
        delay: float,
        server: dict[str, Any] | None,
        status: str | None,
        fail: bool,
    ) -> None:
        await asyncio.sleep(delay)
        if fail:
            self.world.finish(action, {"code": "action_failed", "message": "injected failure"})
            if server is not None and action["command"] == "create_server":
                server["status"] = "off"
            return
        if server is not None and status is not None:
            if status == "deleted":
                self.world.servers.pop(server["id"], None)
            else:
                server["status"] = status
        self.world.finish(action)
        if server is not None and action["command"] == "create_server":
            await self._ready.send(server["id"], server.pop("_user_data", "") or "")

    # ---- resources -----------------------------------------------------------------------

    def _server(self, body: dict[str, Any]) -> dict[str, Any] | JSONResponse:
        server_type = catalog.by_name(catalog.SERVER_TYPES, str(body.get("server_type", "")))
        image = catalog.by_name(catalog.IMAGES, str(body.get("image", "")))
        location = str(body.get("location") or "fsn1")
        if body.get("datacenter"):
            location = str(body["datacenter"]).split("-")[0]
        if not body.get("name") or server_type is None or image is None:
            return error(
                422, "invalid_input", "invalid input in fields 'name', 'server_type' or 'image'"
            )
        if location not in catalog.DATACENTER_NAMES:
            return error(422, "invalid_input", f"unknown location '{location}'")
        if any(s["name"] == body["name"] for s in self.world.servers.values()):
            return error(409, "uniqueness_error", "server name is already used")
        server_id = self.world.next_id()
        return {
            "id": server_id,
            "name": body["name"],
            "status": "initializing",
            "created": now(),
            "public_net": {
                "ipv4": {
                    "id": server_id,
                    "ip": self.world.next_ipv4(),
                    "blocked": False,
                    "dns_ptr": f"static.{server_id}.clients.your-server.de",
                },
                "ipv6": {
                    "id": server_id + 1,
                    "ip": f"2a01:4f8:{server_id:x}::/64",
                    "blocked": False,
                    "dns_ptr": [],
                },
                "floating_ips": [],
                "firewalls": [],
            },
            "private_net": [],
            "server_type": server_type,
            "datacenter": catalog.datacenter(location),
            "location": catalog.by_name(catalog.LOCATIONS, location),
            "image": image,
            "iso": None,
            "rescue_enabled": False,
            "locked": False,
            "backup_window": None,
            "outgoing_traffic": 0,
            "ingoing_traffic": 0,
            "included_traffic": server_type["included_traffic"],
            "protection": {"delete": False, "rebuild": False},
            "labels": dict(body.get("labels") or {}),
            "volumes": [],
            "load_balancers": [],
            "primary_disk_size": server_type["disk"],
            "placement_group": None,
            "_user_data": body.get("user_data"),
        }

    @staticmethod
    def public(server: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in server.items() if not k.startswith("_")}

    def _routes(self) -> None:
        r, world = self.router, self.world

        @r.get("/servers")
        async def list_servers(request: Request) -> Any:
            q = request.query_params
            servers = [
                self.public(s)
                for s in world.servers.values()
                if (not q.get("name") or s["name"] == q["name"])
                and (not q.get("label_selector") or label_matches(s["labels"], q["label_selector"]))
                and (not q.getlist("status") or s["status"] in q.getlist("status"))
            ]
            return paginated("servers", servers, request)

        @r.post("/servers", status_code=201)
        async def create_server(request: Request) -> Any:
            server = self._server(await request.json())
            if isinstance(server, JSONResponse):
                return server
            world.servers[server["id"]] = server
            action = world.new_action("create_server", [{"id": server["id"], "type": "server"}])
            self.later(
                self._complete(
                    action,
                    world.config.boot_delay(world.rng),
                    server,
                    "running",
                    action_should_fail(request),
                )
            )
            return {
                "server": self.public(server),
                "action": action,
                "next_actions": [],
                "root_password": None,
            }

        @r.get("/servers/{server_id}")
        async def get_server(server_id: int) -> Any:
            server = world.servers.get(server_id)
            return (
                {"server": self.public(server)}
                if server
                else error(404, "not_found", "server not found")
            )

        @r.put("/servers/{server_id}")
        async def update_server(server_id: int, request: Request) -> Any:
            server = world.servers.get(server_id)
            if server is None:
                return error(404, "not_found", "server not found")
            body = await request.json()
            server.update({k: body[k] for k in ("name", "labels") if k in body})
            return {"server": self.public(server)}

        @r.delete("/servers/{server_id}")
        async def delete_server(server_id: int, request: Request) -> Any:
            server = world.servers.get(server_id)
            if server is None:
                return error(404, "not_found", "server not found")
            action = world.new_action("delete_server", [{"id": server_id, "type": "server"}])
            self.later(
                self._complete(
                    action,
                    world.config.action_delay(),
                    server,
                    "deleted",
                    action_should_fail(request),
                )
            )
            return {"action": action}

        @r.post("/servers/{server_id}/actions/request_console", status_code=201)
        async def request_console(server_id: int) -> Any:
            if server_id not in world.servers:
                return error(404, "not_found", "server not found")
            action = world.new_action("request_console", [{"id": server_id, "type": "server"}])
            action.update(status="success", progress=100, finished=now())
            # The websocket's token and the VNC password are two secrets, as at Hetzner.
            token = world.rng.getrandbits(128).to_bytes(16, "big").hex()
            password = world.rng.getrandbits(96).to_bytes(12, "big").hex()
            return {
                "wss_url": f"wss://console.hetzner.cloud/?server_id={server_id}&token={token}",
                "password": password,
                "action": action,
            }

        @r.post("/servers/{server_id}/actions/{command}", status_code=201)
        async def server_action(server_id: int, command: str, request: Request) -> Any:
            server = world.servers.get(server_id)
            if server is None:
                return error(404, "not_found", "server not found")
            body = await request.json() if await request.body() else {}
            outcome: str | JSONResponse | None = {
                "poweron": "running",
                "poweroff": "off",
                "shutdown": "off",
                "reboot": "running",
                "reset": "running",
            }.get(command)
            if command == "change_type":
                outcome = self._change_type(server, body)
            if command == "rebuild":
                outcome = self._rebuild(server, body)
            if isinstance(outcome, JSONResponse):
                return outcome
            if outcome is None:
                return error(404, "not_found", f"unknown action '{command}'")
            action = world.new_action(
                {"poweron": "start_server", "poweroff": "stop_server"}.get(command, command),
                [{"id": server_id, "type": "server"}],
            )
            self.later(
                self._complete(
                    action,
                    world.config.action_delay(),
                    server,
                    outcome,
                    action_should_fail(request),
                )
            )
            if command == "rebuild":  # no root password: the keys are given in user data
                return {"action": action, "root_password": None}
            return {"action": action}

        @r.get("/servers/{server_id}/actions")
        async def server_actions(server_id: int, request: Request) -> Any:
            statuses = request.query_params.getlist("status")
            actions = [
                a
                for a in world.actions.values()
                if any(res["id"] == server_id for res in a["resources"])
                and (not statuses or a["status"] in statuses)
            ]
            return paginated("actions", actions, request)

        @r.get("/servers/{server_id}/metrics")
        async def server_metrics(server_id: int, request: Request) -> Any:
            if server_id not in world.servers:
                return error(404, "not_found", "server not found")
            return {"metrics": _metrics(server_id, request)}

        @r.get("/actions/{action_id}")
        async def get_action(action_id: int) -> Any:
            action = world.actions.get(action_id)
            return {"action": action} if action else error(404, "not_found", "action not found")

        @r.get("/actions")
        async def list_actions(request: Request) -> Any:
            ids = [int(i) for i in request.query_params.getlist("id")]
            statuses = request.query_params.getlist("status")
            candidates = (
                [world.actions[i] for i in ids if i in world.actions]
                if ids
                else world.actions.values()
            )
            actions = [a for a in candidates if not statuses or a["status"] in statuses]
            return paginated("actions", actions, request)

        for path, key, items in (
            ("/server_types", "server_types", catalog.SERVER_TYPES),
            ("/locations", "locations", catalog.LOCATIONS),
            ("/images", "images", catalog.IMAGES),
        ):
            self._catalog_routes(path, key, items)

        @r.get("/datacenters")
        async def datacenters(request: Request) -> Any:
            return paginated(
                "datacenters", [catalog.datacenter(n) for n in catalog.DATACENTER_NAMES], request
            )

        @r.get("/ssh_keys")
        async def list_ssh_keys(request: Request) -> Any:
            q = request.query_params
            keys = [
                k
                for k in world.ssh_keys.values()
                if (not q.get("name") or k["name"] == q["name"])
                and (not q.get("fingerprint") or k["fingerprint"] == q["fingerprint"])
            ]
            return paginated("ssh_keys", keys, request)

        @r.post("/ssh_keys", status_code=201)
        async def create_ssh_key(request: Request) -> Any:
            body = await request.json()
            if not body.get("name") or not body.get("public_key"):
                return error(422, "invalid_input", "name and public_key are required")
            key_id = world.next_id()
            key = {
                "id": key_id,
                "name": body["name"],
                "public_key": body["public_key"],
                "fingerprint": f"{key_id:032x}",
                "labels": body.get("labels") or {},
                "created": now(),
            }
            world.ssh_keys[key_id] = key
            return {"ssh_key": key}

        @r.get("/ssh_keys/{key_id}")
        async def get_ssh_key(key_id: int) -> Any:
            key = world.ssh_keys.get(key_id)
            return {"ssh_key": key} if key else error(404, "not_found", "ssh key not found")

        @r.delete("/ssh_keys/{key_id}")
        async def delete_ssh_key(key_id: int) -> Any:
            if world.ssh_keys.pop(key_id, None) is None:
                return error(404, "not_found", "ssh key not found")
            return Response(status_code=204)

    def _catalog_routes(self, path: str, key: str, items: list[dict[str, Any]]) -> None:
        singular = key[:-1]

        async def list_items(request: Request) -> Any:
            name = request.query_params.get("name")
            return paginated(key, [i for i in items if not name or i["name"] == name], request)

        async def get_item(item_id: int) -> Any:
            item = next((i for i in items if i["id"] == item_id), None)
            return {singular: item} if item else error(404, "not_found", f"{singular} not found")

        self.router.add_api_route(path, list_items, methods=["GET"])
        self.router.add_api_route(path + "/{item_id}", get_item, methods=["GET"])

    @staticmethod
    def _rebuild(server: dict[str, Any], body: dict[str, Any]) -> str | JSONResponse:
        """The disk written anew from the image; the server runs once the action ends."""
        image = catalog.by_name(catalog.IMAGES, str(body.get("image", "")))
        if image is None:
            return error(422, "invalid_input", "invalid input in field 'image'")
        server.update(image=image, status="rebuilding", _rebuilt_with=body.get("user_data"))
        return "running"

    @staticmethod
    def _change_type(server: dict[str, Any], body: dict[str, Any]) -> str | JSONResponse:
        if server["status"] != "off":
            return error(409, "server_not_stopped", "server must be stopped to change its type")
        target = catalog.by_name(catalog.SERVER_TYPES, str(body.get("server_type", "")))
        if target is None:
            return error(422, "invalid_input", "unknown server_type")
        if target["disk"] < server["primary_disk_size"]:
            return error(
                422,
                "invalid_input",
                f"server_type {target['name']} has a smaller disk "
                f"({target['disk']} GB) than the server ({server['primary_disk_size']} GB)",
            )
        server["server_type"] = target
        if body.get("upgrade_disk", True):
            server["primary_disk_size"] = target["disk"]
        return "off"


def _metrics(server_id: int, request: Request) -> dict[str, Any]:
    """Plausible, repeatable series: a daily sine around a per-server baseline."""
    q = request.query_params
    end = _epoch(q.get("end")) or time.time()
    start = _epoch(q.get("start")) or end - 3600
    step = max(1, int(float(q.get("step") or 60)))
    stamps = list(range(int(start), int(end) + 1, step))[:5000]
    base = 10 + server_id % 40

    def series(scale: float, phase: float) -> dict[str, Any]:
        return {
            "values": [
                [t, f"{max(0.0, base * scale * (1 + 0.5 * math.sin(t / 3600 + phase))):.2f}"]
                for t in stamps
            ]
        }

    types = (q.get("type") or "cpu,disk,network").split(",")
    time_series: dict[str, Any] = {}
    if "cpu" in types:
        time_series["cpu"] = series(1.0, 0)
    if "disk" in types:
        for name, scale in (
            ("disk.0.iops.read", 2),
            ("disk.0.iops.write", 3),
            ("disk.0.bandwidth.read", 4096),
            ("disk.0.bandwidth.write", 8192),
        ):
            time_series[name] = series(scale, 1)
    if "network" in types:
        for name, scale in (
            ("network.0.bandwidth.in", 20000),
            ("network.0.bandwidth.out", 50000),
            ("network.0.pps.in", 30),
            ("network.0.pps.out", 40),
        ):
            time_series[name] = series(scale, 2)
    return {"start": q.get("start"), "end": q.get("end"), "step": step, "time_series": time_series}


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
