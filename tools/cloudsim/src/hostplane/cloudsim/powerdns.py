"""PowerDNS Authoritative's HTTP API: zones and their RRsets (`/api/v1/servers/localhost/...`).

The zones are fixed by configuration (`CLOUDSIM_POWERDNS_ZONES`); each starts with its SOA and
NS RRsets, as a zone made through the API does. A PATCH applies all its RRsets or none, and
is answered 204; every change bumps the zone's SOA serial (SOA-EDIT-API DEFAULT). Input is
refused as PowerDNS refuses it: 422 with `{"error": ...}` for names that are not canonical or
not in the zone, unknown types, content the type cannot hold, a missing TTL; 404 for a zone
or server it does not serve; 400 for a body that is not JSON.
"""

import ipaddress
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from hostplane.cloudsim.state import World

SERVER_ID = "localhost"
RECORD_TYPES = {"A", "AAAA", "CNAME", "TXT", "MX", "NS", "SOA", "SRV", "CAA", "PTR"}
NAME_TYPES = {"CNAME", "NS", "PTR"}  # whose content is itself a canonical name
FIRST_SERIAL = 2026010101


class Refused(Exception):
    """Input PowerDNS refuses: answered 422 with this message."""


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status)


def canonical(name: str) -> str:
    return name.rstrip(".").lower() + "."


def zones_from(setting: str) -> list[str]:
    """`CLOUDSIM_POWERDNS_ZONES`: comma-separated zone names, with or without their dot."""
    return [canonical(z) for z in setting.split(",") if z.strip()]


def enabled(content: str) -> dict[str, Any]:
    return {"content": content, "disabled": False}


def rrset_key(name: str, record_type: str) -> str:
    return f"{name}/{record_type}"


def in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def check_content(name: str, record_type: str, content: str) -> None:
    """Refuse content the type cannot hold, in PowerDNS's words."""
    problem = None
    try:
        if record_type == "A":
            ipaddress.IPv4Address(content)
        elif record_type == "AAAA":
            ipaddress.IPv6Address(content)
    except ValueError:
        problem = "Parsing record content (try 'pdnsutil check-zone'): unable to parse IP address"
    if record_type in NAME_TYPES and content != canonical(content):
        problem = f"Not in expected format (parsed as '{canonical(content)}')"
    if not content:
        problem = "Parsing record content (try 'pdnsutil check-zone'): empty content"
    if problem:
        raise Refused(f"Record {name}/{record_type} '{content}': {problem}")


class PowerDns:
    def __init__(self, world: World, zones: list[str]) -> None:
        self.world = world
        self.zones = zones
        self.router = APIRouter()
        self._routes()

    def rrsets(self, zone: str) -> dict[str, dict[str, Any]]:
        """The zone's RRsets by `<name>/<type>`; a zone not yet used starts with SOA and NS."""
        if zone not in self.world.powerdns_rrsets:
            soa = f"ns1.{zone} hostmaster.{zone} {FIRST_SERIAL} 10800 3600 604800 3600"
            self.world.powerdns_rrsets[zone] = {
                rrset_key(zone, "SOA"): self._rrset(zone, "SOA", 3600, [enabled(soa)]),
                rrset_key(zone, "NS"): self._rrset(zone, "NS", 3600, [enabled(f"ns1.{zone}")]),
            }
        return self.world.powerdns_rrsets[zone]

    def serial(self, zone: str) -> int:
        return int(self.rrsets(zone)[rrset_key(zone, "SOA")]["records"][0]["content"].split()[2])

    def zone_json(self, zone: str, rrsets: list[dict[str, Any]] | None) -> dict[str, Any]:
        serial = self.serial(zone)
        body: dict[str, Any] = {
            "id": zone,
            "name": zone,
            "type": "Zone",
            "url": f"/api/v1/servers/{SERVER_ID}/zones/{zone}",
            "kind": "Native",
            "serial": serial,
            "notified_serial": 0,
            "edited_serial": serial,
            "masters": [],
            "dnssec": False,
            "nsec3param": "",
            "nsec3narrow": False,
            "api_rectify": False,
            "soa_edit": "",
            "soa_edit_api": "DEFAULT",
            "account": "",
        }
        if rrsets is not None:
            body["rrsets"] = rrsets
        return body

    @staticmethod
    def _rrset(
        name: str,
        record_type: str,
        ttl: int,
        records: list[dict[str, Any]],
        comments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        return {
            "name": name,
            "type": record_type,
            "ttl": ttl,
            "records": records,
            "comments": comments or [],
        }

    def patch(self, zone: str, body: Any) -> None:
        """Apply every RRset of a PATCH, or none (raising `Refused`)."""
        changes = body.get("rrsets") if isinstance(body, dict) else None
        if not isinstance(changes, list):
            raise Refused("No rrsets given in update request")
        staged: dict[tuple[str, str], dict[str, Any] | None] = {}
        for change in changes:
            name, record_type, rrset = self._change(zone, change)
            if (name, record_type) in staged:
                raise Refused(f"Duplicate RRset {name} IN {record_type}")
            staged[name, record_type] = rrset
        rrsets = self.rrsets(zone)
        for (name, record_type), rrset in staged.items():
            if rrset is None:
                rrsets.pop(rrset_key(name, record_type), None)
            else:
                rrsets[rrset_key(name, record_type)] = rrset
        soa = rrsets[rrset_key(zone, "SOA")]["records"][0]
        fields = soa["content"].split()
        fields[2] = str(int(fields[2]) + 1)
        soa["content"] = " ".join(fields)

    def _change(self, zone: str, change: Any) -> tuple[str, str, dict[str, Any] | None]:
        """One RRset change, checked: its name, its type, and the RRset it leaves (None: gone)."""
        if not isinstance(change, dict):
            raise Refused("RRset is not an object")
        name, record_type = str(change.get("name", "")), str(change.get("type", ""))
        if not name.endswith("."):
            raise Refused(f"DNS Name '{name}' is not canonical")
        name = name.lower()
        if record_type not in RECORD_TYPES:
            raise Refused(f"RRset {name} IN {record_type}: unknown type given")
        changetype = str(change.get("changetype", "")).upper()
        if changetype == "DELETE":
            # Not checked against the zone: PowerDNS lets a DELETE mend out-of-zone data.
            return name, record_type, None
        if changetype != "REPLACE":
            raise Refused("Changetype not understood")
        if not in_zone(name, zone):
            raise Refused(f"RRset {name} IN {record_type}: Name is out of zone")
        return name, record_type, self._replaced(zone, name, record_type, change)

    def _replaced(
        self, zone: str, name: str, record_type: str, change: dict[str, Any]
    ) -> dict[str, Any] | None:
        """REPLACE: the records given, or those kept; the comments given, or those kept."""
        records, comments = change.get("records"), change.get("comments")
        if not isinstance(records, list) and not isinstance(comments, list):
            raise Refused(f"No change for RRset {name} IN {record_type}")
        current = self.rrsets(zone).get(rrset_key(name, record_type))
        ttl = current["ttl"] if current else 0
        kept = current["records"] if current else []
        if isinstance(records, list):
            ttl = change.get("ttl")
            if not isinstance(ttl, int) or isinstance(ttl, bool):
                raise Refused("Key 'ttl' not present or not a Number")
            kept = [self._record(name, record_type, r) for r in records]
            if len({r["content"] for r in kept}) != len(kept):
                raise Refused(f"RRset {name} IN {record_type} has duplicate records")
        if not isinstance(comments, list):
            comments = current["comments"] if current else []
        rrset = self._rrset(name, record_type, ttl, kept, comments)
        return rrset if rrset["records"] or rrset["comments"] else None

    @staticmethod
    def _record(name: str, record_type: str, record: Any) -> dict[str, Any]:
        content = str(record.get("content", "")) if isinstance(record, dict) else ""
        check_content(name, record_type, content)
        return {"content": content, "disabled": bool(record.get("disabled", False))}

    def _routes(self) -> None:
        r = self.router

        def unknown(server_id: str, zone_id: str | None = None) -> JSONResponse | None:
            if server_id != SERVER_ID:
                return error(404, "Not Found")
            if zone_id is not None and canonical(zone_id) not in self.zones:
                return error(404, f"Could not find domain '{zone_id}'")
            return None

        @r.get("/servers/{server_id}/zones")
        async def list_zones(server_id: str, zone: str | None = None) -> Any:
            if missing := unknown(server_id):
                return missing
            names = [z for z in self.zones if zone is None or canonical(zone) == z]
            return [self.zone_json(z, None) for z in names]

        @r.get("/servers/{server_id}/zones/{zone_id}")
        async def get_zone(
            server_id: str,
            zone_id: str,
            rrsets: str = "true",
            rrset_name: str | None = None,
            rrset_type: str | None = None,
        ) -> Any:
            if missing := unknown(server_id, zone_id):
                return missing
            zone = canonical(zone_id)
            if rrsets == "false":
                return self.zone_json(zone, None)
            chosen = [
                rrset
                for rrset in self.rrsets(zone).values()
                if (rrset_name is None or rrset["name"] == canonical(rrset_name))
                and (rrset_type is None or rrset["type"] == rrset_type)
            ]
            return self.zone_json(zone, chosen)

        @r.patch("/servers/{server_id}/zones/{zone_id}")
        async def patch_zone(server_id: str, zone_id: str, request: Request) -> Any:
            if missing := unknown(server_id, zone_id):
                return missing
            try:
                body = await request.json()
            except ValueError as bad:
                return error(400, f"Unable to parse JSON: {bad}")
            try:
                self.patch(canonical(zone_id), body)
            except Refused as refused:
                return error(422, str(refused))
            return Response(status_code=204)
