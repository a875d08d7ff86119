"""The PowerDNS Authoritative simulator: zones, RRsets changed by PATCH, PowerDNS's errors."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hostplane.cloudsim.app import create_app
from tools.cloudsim.tests.conftest import serve

ZONE = "/zones/hostplane.test."


def replace(name: str, *contents: str, record_type: str = "A", ttl: int = 60) -> dict[str, Any]:
    return {
        "rrsets": [
            {
                "name": name,
                "type": record_type,
                "ttl": ttl,
                "changetype": "REPLACE",
                "records": [{"content": c, "disabled": False} for c in contents],
                "comments": [{"content": "managed by hostplane", "account": "hostplane"}],
            }
        ]
    }


def delete(name: str, record_type: str = "A") -> dict[str, Any]:
    return {"rrsets": [{"name": name, "type": record_type, "changetype": "DELETE"}]}


def rrsets(powerdns: httpx.Client, name: str) -> list[dict[str, Any]]:
    zone = powerdns.get(ZONE, params={"rrset_name": name})
    assert zone.status_code == 200
    found: list[dict[str, Any]] = zone.json()["rrsets"]
    return found


def test_a_new_zone_is_listed_with_its_soa_and_ns(powerdns: httpx.Client) -> None:
    [zone] = powerdns.get("/zones").json()
    assert zone["name"] == zone["id"] == "hostplane.test."
    assert zone["kind"] == "Native"
    assert "rrsets" not in zone
    full = powerdns.get(ZONE).json()
    assert sorted(r["type"] for r in full["rrsets"]) == ["NS", "SOA"]
    assert powerdns.get("/zones", params={"zone": "elsewhere.test."}).json() == []


def test_replace_creates_then_changes_an_rrset_and_delete_removes_it(
    powerdns: httpx.Client,
) -> None:
    serial = powerdns.get(ZONE, params={"rrsets": "false"}).json()["serial"]
    created = powerdns.patch(ZONE, json=replace("shop.hostplane.test.", "100.64.0.9"))
    assert created.status_code == 204
    assert created.content == b""
    [rrset] = rrsets(powerdns, "shop.hostplane.test.")
    assert rrset["type"] == "A"
    assert rrset["ttl"] == 60
    assert rrset["records"] == [{"content": "100.64.0.9", "disabled": False}]
    assert rrset["comments"][0]["content"] == "managed by hostplane"

    powerdns.patch(ZONE, json=replace("shop.hostplane.test.", "100.64.0.10")).raise_for_status()
    [changed] = rrsets(powerdns, "shop.hostplane.test.")
    assert [r["content"] for r in changed["records"]] == ["100.64.0.10"]

    assert powerdns.patch(ZONE, json=delete("shop.hostplane.test.")).status_code == 204
    assert rrsets(powerdns, "shop.hostplane.test.") == []
    # Gone already: still fine.
    assert powerdns.patch(ZONE, json=delete("shop.hostplane.test.")).status_code == 204
    assert powerdns.get(ZONE, params={"rrsets": "false"}).json()["serial"] == serial + 4


def test_a_patch_refused_in_part_changes_nothing(powerdns: httpx.Client) -> None:
    body = replace("a.hostplane.test.", "100.64.0.1")
    body["rrsets"] += replace("b.elsewhere.test.", "100.64.0.2")["rrsets"]
    refused = powerdns.patch(ZONE, json=body)
    assert refused.status_code == 422
    assert refused.json() == {"error": "RRset b.elsewhere.test. IN A: Name is out of zone"}
    assert rrsets(powerdns, "a.hostplane.test.") == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (replace("shop.hostplane.test", "100.64.0.9"), "is not canonical"),
        (replace("shop.hostplane.test.", "not-an-address"), "unable to parse IP address"),
        (replace("shop.hostplane.test.", "::1", record_type="A"), "unable to parse IP address"),
        (replace("www.hostplane.test.", "shop", record_type="CNAME"), "Not in expected format"),
        (replace("shop.hostplane.test.", "1.2.3.4", record_type="BOGUS"), "unknown type"),
        (
            {"rrsets": [{"name": "x.hostplane.test.", "type": "A", "changetype": "UPSERT"}]},
            "Changetype not understood",
        ),
        ({"rrsets": "none"}, "No rrsets given"),
    ],
)
def test_data_powerdns_refuses_is_answered_422(
    powerdns: httpx.Client, body: dict[str, Any], error: str
) -> None:
    refused = powerdns.patch(ZONE, json=body)
    assert refused.status_code == 422
    assert error in refused.json()["error"]


def test_a_replace_without_ttl_is_refused(powerdns: httpx.Client) -> None:
    body = replace("shop.hostplane.test.", "100.64.0.9")
    del body["rrsets"][0]["ttl"]
    refused = powerdns.patch(ZONE, json=body)
    assert refused.status_code == 422
    assert refused.json()["error"] == "Key 'ttl' not present or not a Number"


def test_unknown_zone_and_server_are_not_found(powerdns: httpx.Client) -> None:
    unknown = powerdns.get("/zones/elsewhere.test.")
    assert unknown.status_code == 404
    assert "error" in unknown.json()
    assert (
        powerdns.patch("/zones/elsewhere.test.", json=delete("a.elsewhere.test.")).status_code
        == 404
    )
    other_server = httpx.get(
        str(powerdns.base_url).replace("/localhost", "/other") + "/zones",
        headers={"X-API-Key": "t"},
    )
    assert other_server.status_code == 404


def test_without_an_api_key_the_api_answers_401(cloudsim_url: str) -> None:
    anonymous = httpx.get(f"{cloudsim_url}/powerdns/api/v1/servers/localhost/zones")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"error": "Unauthorized"}


@pytest.fixture(scope="module")
def keyed_url() -> Iterator[str]:
    env = {"CLOUDSIM_POWERDNS_API_KEY": "secret", "CLOUDSIM_POWERDNS_ZONES": "a.test,b.test."}
    yield from serve(create_app(env))


def test_a_configured_key_and_zones_are_the_only_ones(keyed_url: str) -> None:
    zones = f"{keyed_url}/powerdns/api/v1/servers/localhost/zones"
    assert httpx.get(zones, headers={"X-API-Key": "wrong"}).status_code == 401
    listed = httpx.get(zones, headers={"X-API-Key": "secret"}).json()
    assert [z["name"] for z in listed] == ["a.test.", "b.test."]


def test_an_injected_fault_answers_in_powerdns_error_shape(
    cloudsim_url: str, powerdns: httpx.Client
) -> None:
    fault = {
        "method": "PATCH",
        "path": "/powerdns/api/v1/servers/localhost/zones/*",
        "kind": "rate_limit",
        "retry_after": 3,
        "times": 1,
    }
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    throttled = powerdns.patch(ZONE, json=replace("shop.hostplane.test.", "100.64.0.9"))
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "3"
    assert throttled.json() == {"error": "rate limit exceeded"}
    assert rrsets(powerdns, "shop.hostplane.test.") == []
    again = powerdns.patch(ZONE, json=replace("shop.hostplane.test.", "100.64.0.9"))
    assert again.status_code == 204


def test_the_admin_lists_records_by_name_and_reset_empties_the_zones(
    cloudsim_url: str, powerdns: httpx.Client
) -> None:
    powerdns.patch(ZONE, json=replace("shop.hostplane.test.", "100.64.0.9")).raise_for_status()
    listed = httpx.get(
        f"{cloudsim_url}/_admin/powerdns/records", params={"name": "shop.hostplane.test"}
    ).json()
    assert [(r["zone"], r["name"], r["type"]) for r in listed] == [
        ("hostplane.test.", "shop.hostplane.test.", "A")
    ]
    httpx.post(f"{cloudsim_url}/_admin/reset").raise_for_status()
    assert rrsets(powerdns, "shop.hostplane.test.") == []
