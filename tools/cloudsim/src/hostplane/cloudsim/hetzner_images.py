"""Hetzner Cloud's images of servers: `create_image` (a snapshot, or a backup bound to its
server, which needs the server's backup option: `enable_backup`), listing and deleting
images, and rebuilding a server from one of them.

Mounted before the server routes of `hetzner.py`, whose generic action route would not
know these actions. The system images of the catalog are listed beside the ones made here.
A backup image is deleted with its server, as at Hetzner; a snapshot stays.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from hostplane.cloudsim import catalog
from hostplane.cloudsim.faults import action_should_fail
from hostplane.cloudsim.hetzner import Hetzner, error, label_matches, paginated
from hostplane.cloudsim.state import World, now

ServerAction = Callable[[int, str, Request], Awaitable[Any]]
# What an image weighs per GB of its server's disk (a compressed copy of the used part).
IMAGE_SHARE = 0.08


class HetznerImages:
    def __init__(self, world: World, hetzner: Hetzner) -> None:
        self.world = world
        self.hetzner = hetzner
        self.router = APIRouter()
        self._routes()

    def images(self) -> list[dict[str, Any]]:
        """The catalog's and the custom images; backups of deleted servers are gone."""
        servers = self.world.servers
        gone = [
            i for i, image in self.world.images.items() if image["bound_to"] not in (None, *servers)
        ]
        for image_id in gone:
            self.world.images.pop(image_id)
        return [*catalog.IMAGES, *self.world.images.values()]

    def _image(self, server: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type") or "snapshot"
        image_id = self.world.next_id()
        return {
            "id": image_id,
            "type": kind,
            "status": "creating",
            "name": None,
            "description": body.get("description") or f"{server['name']}-{now()}",
            "image_size": None,
            "disk_size": server["primary_disk_size"],
            "created": now(),
            "created_from": {"id": server["id"], "name": server["name"]},
            "bound_to": server["id"] if kind == "backup" else None,
            "os_flavor": server["image"]["os_flavor"],
            "os_version": server["image"]["os_version"],
            "rapid_deploy": False,
            "protection": {"delete": False},
            "deprecated": None,
            "deleted": None,
            "labels": dict(body.get("labels") or {}),
            "architecture": "x86",
        }

    async def _finish_image(
        self, action: dict[str, Any], image: dict[str, Any], fail: bool
    ) -> None:
        await asyncio.sleep(self.world.config.action_delay())
        if fail:
            self.world.images.pop(image["id"], None)
            self.world.finish(action, {"code": "action_failed", "message": "injected failure"})
            return
        image.update(status="available", image_size=round(image["disk_size"] * IMAGE_SHARE, 2))
        self.world.finish(action)

    def _routes(self) -> None:
        r, world = self.router, self.world

        @r.post("/servers/{server_id}/actions/create_image", status_code=201)
        async def create_image(server_id: int, request: Request) -> Any:
            server = world.servers.get(server_id)
            if server is None:
                return error(404, "not_found", "server not found")
            body = await request.json() if await request.body() else {}
            if body.get("type", "snapshot") not in ("snapshot", "backup"):
                return error(422, "invalid_input", "invalid input in field 'type'")
            if body.get("type") == "backup" and server["backup_window"] is None:
                return error(422, "invalid_input", "backups are not enabled for this server")
            image = self._image(server, body)
            world.images[image["id"]] = image
            action = world.new_action(
                "create_image",
                [{"id": server_id, "type": "server"}, {"id": image["id"], "type": "image"}],
            )
            self.hetzner.later(self._finish_image(action, image, action_should_fail(request)))
            return {"image": image, "action": action}

        @r.post("/servers/{server_id}/actions/enable_backup", status_code=201)
        async def enable_backup(server_id: int, request: Request) -> Any:
            server = world.servers.get(server_id)
            if server is None:
                return error(404, "not_found", "server not found")
            server["backup_window"] = "22-02"
            action = world.new_action("enable_backup", [{"id": server_id, "type": "server"}])
            world.finish(action)
            return {"action": action}

        @r.post("/servers/{server_id}/actions/rebuild", status_code=201)
        async def rebuild(server_id: int, request: Request) -> Any:
            server = world.servers.get(server_id)
            body = await request.json() if await request.body() else {}
            image = catalog.by_name(list(self.world.images.values()), str(body.get("image", "")))
            if server is None or image is None:
                # A system image: the server actions of `hetzner.py` rebuild from it.
                return await self._server_action()(server_id, "rebuild", request)
            if image["status"] != "available" or image["bound_to"] not in (None, server_id):
                return error(422, "invalid_input", "invalid input in field 'image'")
            server["status"] = "rebuilding"
            action = world.new_action("rebuild_server", [{"id": server_id, "type": "server"}])
            self.hetzner.later(
                self.hetzner._complete(
                    action,
                    world.config.action_delay(),
                    server,
                    "running",
                    action_should_fail(request),
                )
            )
            server["_restored_from"] = image["id"]
            return {"action": action, "root_password": None}

        @r.get("/images")
        async def list_images(request: Request) -> Any:
            q = request.query_params
            images = [
                image
                for image in self.images()
                if (not q.getlist("type") or image["type"] in q.getlist("type"))
                and (not q.getlist("status") or image["status"] in q.getlist("status"))
                and (not q.get("name") or image["name"] == q["name"])
                and (not q.getlist("bound_to") or str(image["bound_to"]) in q.getlist("bound_to"))
                and (
                    not q.get("label_selector")
                    or label_matches(image["labels"], q["label_selector"])
                )
            ]
            return paginated("images", images, request)

        @r.get("/images/{image_id}")
        async def get_image(image_id: int) -> Any:
            image = next((i for i in self.images() if i["id"] == image_id), None)
            return {"image": image} if image else error(404, "not_found", "image not found")

        @r.delete("/images/{image_id}")
        async def delete_image(image_id: int) -> Any:
            self.images()
            image = world.images.get(image_id)
            if image is None:
                return error(404, "not_found", "image not found")
            if image["protection"]["delete"]:
                return error(403, "protected", "image is protected")
            world.images.pop(image_id)
            return Response(status_code=204)

    def _server_action(self) -> ServerAction:
        """`hetzner.py`'s route of the other server actions."""
        for route in self.hetzner.router.routes:
            if (
                isinstance(route, APIRoute)
                and route.path == "/servers/{server_id}/actions/{command}"
            ):
                endpoint: ServerAction = route.endpoint
                return endpoint
        raise LookupError("the server actions route is not mounted")
