"""The Cloudflare v4 DNS records API, in its `{success, errors, messages, result}` envelope."""

import math
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hostplane.cloudsim.state import World, now

RECORD_TYPES = {"A", "AAAA", "CNAME", "TXT", "MX", "NS"}


def ok(result: Any, result_info: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"success": True, "errors": [], "messages": [], "result": result}
    if result_info is not None:
        body["result_info"] = result_info
    return body


def fail(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "success": False,
            "errors": [{"code": code, "message": message}],
            "messages": [],
            "result": None,
        },
        status,
    )


class Cloudflare:
    def __init__(self, world: World) -> None:
        self.world = world
        self.router = APIRouter()
        self._routes()

    def _fqdn(self, zone_id: str, name: str) -> str:
        domain = self.world.zones[zone_id]
        name = name.rstrip(".").lower()
        if name == "@" or name == domain:
            return domain
        return name if name.endswith("." + domain) else f"{name}.{domain}"

    def _validate(self, zone_id: str, body: dict[str, Any]) -> str | None:
        if body.get("type") not in RECORD_TYPES:
            return "DNS record type is invalid."
        if not body.get("name") or not body.get("content"):
            return "DNS record name and content are required."
        return None

    def _routes(self) -> None:
        r, world = self.router, self.world

        def unknown_zone(zone_id: str) -> JSONResponse | None:
            if zone_id in world.zones:
                return None
            return fail(
                404,
                7003,
                f"Could not route to /zones/{zone_id}, perhaps your object identifier is invalid?",
            )

        @r.get("/zones/{zone_id}")
        async def get_zone(zone_id: str) -> Any:
            return unknown_zone(zone_id) or ok(
                {
                    "id": zone_id,
                    "name": world.zones[zone_id],
                    "status": "active",
                    "paused": False,
                    "type": "full",
                }
            )

        @r.get("/zones/{zone_id}/dns_records")
        async def list_records(zone_id: str, request: Request) -> Any:
            if missing := unknown_zone(zone_id):
                return missing
            q = request.query_params
            name = q.get("name") or q.get("name.exact")
            records = [
                rec
                for rec in world.records.values()
                if rec["zone_id"] == zone_id
                and (not name or rec["name"] == self._fqdn(zone_id, name))
                and (not q.get("type") or rec["type"] == q["type"])
                and (not q.get("content") or rec["content"] == q["content"])
            ]
            page, per_page = int(q.get("page", 1)), int(q.get("per_page", 100))
            chunk = records[(page - 1) * per_page : page * per_page]
            return ok(
                chunk,
                {
                    "page": page,
                    "per_page": per_page,
                    "count": len(chunk),
                    "total_count": len(records),
                    "total_pages": max(1, math.ceil(len(records) / per_page)),
                },
            )

        @r.post("/zones/{zone_id}/dns_records")
        async def create_record(zone_id: str, request: Request) -> Any:
            if missing := unknown_zone(zone_id):
                return missing
            body = await request.json()
            if problem := self._validate(zone_id, body):
                return fail(400, 9000, problem)
            name = self._fqdn(zone_id, body["name"])
            if any(
                rec["zone_id"] == zone_id
                and rec["name"] == name
                and rec["type"] == body["type"]
                and rec["content"] == body["content"]
                for rec in world.records.values()
            ):
                return fail(400, 81057, "Record already exists.")
            record = {
                "id": secrets.token_hex(16),
                "zone_id": zone_id,
                "zone_name": world.zones[zone_id],
                "name": name,
                "type": body["type"],
                "content": body["content"],
                "proxiable": body["type"] in ("A", "AAAA", "CNAME"),
                "proxied": bool(body.get("proxied", False)),
                "ttl": int(body.get("ttl", 1)),
                "locked": False,
                "comment": body.get("comment"),
                "tags": body.get("tags", []),
                "created_on": now(),
                "modified_on": now(),
                "meta": {"auto_added": False, "source": "primary"},
            }
            world.records[record["id"]] = record
            return ok(record)

        @r.get("/zones/{zone_id}/dns_records/{record_id}")
        async def get_record(zone_id: str, record_id: str) -> Any:
            record = world.records.get(record_id)
            if record is None or record["zone_id"] != zone_id:
                return unknown_zone(zone_id) or fail(404, 81044, "Record does not exist.")
            return ok(record)

        async def update_record(zone_id: str, record_id: str, request: Request) -> Any:
            record = world.records.get(record_id)
            if record is None or record["zone_id"] != zone_id:
                return unknown_zone(zone_id) or fail(404, 81044, "Record does not exist.")
            body = await request.json()
            if request.method == "PUT" and (problem := self._validate(zone_id, body)):
                return fail(400, 9000, problem)
            for key in ("type", "content", "ttl", "proxied", "comment", "tags"):
                if key in body:
                    record[key] = body[key]
            if "name" in body:
                record["name"] = self._fqdn(zone_id, body["name"])
            record["modified_on"] = now()
            return ok(record)

        r.add_api_route(
            "/zones/{zone_id}/dns_records/{record_id}", update_record, methods=["PUT", "PATCH"]
        )

        @r.delete("/zones/{zone_id}/dns_records/{record_id}")
        async def delete_record(zone_id: str, record_id: str) -> Any:
            record = world.records.get(record_id)
            if record is None or record["zone_id"] != zone_id:
                return unknown_zone(zone_id) or fail(404, 81044, "Record does not exist.")
            del world.records[record_id]
            return ok({"id": record_id})
