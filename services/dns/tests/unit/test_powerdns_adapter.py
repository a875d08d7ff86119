"""The PowerDNS adapter against PowerDNS Authoritative's wire shapes, as its documentation gives
them (docs/http-api: zone.rst, index.rst "Errors", the OpenAPI `Zone`, `RRSet`, `Error`).

Each scenario serves the answers PowerDNS gives, in order, and checks what the adapter sent.
"""

import json
import time
from typing import Any

import httpx
import pytest

from hostplane.dns.adapters.powerdns import PowerDnsProvider
from hostplane.providers.errors import ProviderError
from services.dns.tests.unit.scripted import ScriptedApi

ZONE_URL = "http://pdns.test:8081/api/v1/servers/localhost/zones/hostplane.test."
NAME = "shop.hostplane.test"


def zone(*rrsets: dict[str, Any]) -> dict[str, Any]:
    """`GET /servers/localhost/zones/hostplane.test.`, as in "Listing a zone"."""
    return {
        "account": "",
        "api_rectify": False,
        "dnssec": False,
        "edited_serial": 2022040501,
        "id": "hostplane.test.",
        "kind": "Native",
        "last_check": 0,
        "master_tsig_key_ids": [],
        "masters": [],
        "name": "hostplane.test.",
        "notified_serial": 0,
        "nsec3narrow": False,
        "nsec3param": "",
        "rrsets": [
            {
                "comments": [],
                "name": "hostplane.test.",
                "records": [
                    {
                        "content": "a.misconfigured.dns.server.invalid. hostmaster.hostplane.test."
                        " 2022040501 10800 3600 604800 3600",
                        "disabled": False,
                    }
                ],
                "ttl": 3600,
                "type": "SOA",
            },
            *rrsets,
        ],
        "serial": 2022040501,
        "slave_tsig_key_ids": [],
        "soa_edit": "",
        "soa_edit_api": "DEFAULT",
        "url": "/api/v1/servers/localhost/zones/hostplane.test.",
    }


def a_rrset(*contents: str) -> dict[str, Any]:
    return {
        "comments": [],
        "name": "shop.hostplane.test.",
        "records": [{"content": c, "disabled": False} for c in contents],
        "ttl": 60,
        "type": "A",
    }


NO_CONTENT = httpx.Response(204)


class PowerDns(ScriptedApi):
    """PowerDNS's API, which also reads back the rrsets it was sent."""

    def patched(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.method == "PATCH"]


def provider(powerdns: PowerDns) -> PowerDnsProvider:
    return PowerDnsProvider(
        api_url="http://pdns.test:8081/",
        api_key="changeme",
        zone="hostplane.test",
        transport=httpx.MockTransport(powerdns),
    )


def test_an_absent_record_is_created_with_a_replace_and_named_by_its_rrset() -> None:
    powerdns = PowerDns(httpx.Response(200, json=zone()), NO_CONTENT)
    record_id = provider(powerdns).ensure_record(NAME, "A", "100.64.0.9")
    assert record_id == "shop.hostplane.test./A"
    assert powerdns.sent == [f"GET {ZONE_URL}", f"PATCH {ZONE_URL}"]
    lookup = powerdns.requests[0]
    assert lookup.headers["X-API-Key"] == "changeme"
    assert dict(lookup.url.params) == {"rrset_name": "shop.hostplane.test.", "rrset_type": "A"}
    assert powerdns.patched() == [
        {
            "rrsets": [
                {
                    "name": "shop.hostplane.test.",
                    "type": "A",
                    "ttl": 60,
                    "changetype": "REPLACE",
                    "records": [{"content": "100.64.0.9", "disabled": False}],
                    "comments": [{"content": "managed by hostplane", "account": "hostplane"}],
                }
            ]
        }
    ]


def test_a_record_already_there_is_left_alone_and_keeps_its_id() -> None:
    powerdns = PowerDns(httpx.Response(200, json=zone(a_rrset("100.64.0.9"))))
    assert provider(powerdns).ensure_record(NAME, "A", "100.64.0.9") == "shop.hostplane.test./A"
    assert powerdns.patched() == []


def test_a_record_pointing_elsewhere_is_replaced() -> None:
    powerdns = PowerDns(httpx.Response(200, json=zone(a_rrset("100.64.0.1"))), NO_CONTENT)
    assert provider(powerdns).ensure_record(NAME, "A", "100.64.0.9") == "shop.hostplane.test./A"
    [patch] = powerdns.patched()
    assert patch["rrsets"][0]["records"] == [{"content": "100.64.0.9", "disabled": False}]


def test_an_older_server_answering_with_the_whole_zone_is_searched() -> None:
    other = {**a_rrset("100.64.0.7"), "name": "blog.hostplane.test."}
    powerdns = PowerDns(httpx.Response(200, json=zone(other, a_rrset("100.64.0.9"))))
    provider(powerdns).ensure_record("SHOP.hostplane.test.", "A", "100.64.0.9")
    assert powerdns.patched() == []


def test_absent_deletes_the_rrset_and_returns_its_id() -> None:
    powerdns = PowerDns(httpx.Response(200, json=zone(a_rrset("100.64.0.9"))), NO_CONTENT)
    assert provider(powerdns).ensure_absent(NAME, "A") == ["shop.hostplane.test./A"]
    assert powerdns.patched() == [
        {"rrsets": [{"name": "shop.hostplane.test.", "type": "A", "changetype": "DELETE"}]}
    ]


def test_absent_when_gone_already_deletes_nothing() -> None:
    powerdns = PowerDns(httpx.Response(200, json=zone()))
    assert provider(powerdns).ensure_absent(NAME, "A") == []
    assert powerdns.patched() == []


def test_data_powerdns_refuses_fails_for_good_with_its_message() -> None:
    refusal = {"error": "RRset shop.hostplane.test. IN A: Name is out of zone"}
    powerdns = PowerDns(httpx.Response(200, json=zone()), httpx.Response(422, json=refusal))
    with pytest.raises(ProviderError) as failed:
        provider(powerdns).ensure_record(NAME, "A", "100.64.0.9")
    assert failed.value.code == "422"
    assert failed.value.message == "RRset shop.hostplane.test. IN A: Name is out of zone"
    assert len(powerdns.requests) == 2  # not retried


def test_several_errors_are_all_reported() -> None:
    body = {"error": "Multiple errors found in RRset", "errors": ["duplicate record"]}
    powerdns = PowerDns(httpx.Response(200, json=zone()), httpx.Response(422, json=body))
    with pytest.raises(ProviderError) as failed:
        provider(powerdns).ensure_record(NAME, "A", "100.64.0.9")
    assert failed.value.message == "Multiple errors found in RRset; duplicate record"


def test_a_zone_the_server_does_not_serve_fails_for_good() -> None:
    powerdns = PowerDns(httpx.Response(404, json={"error": "Not Found"}))
    with pytest.raises(ProviderError) as failed:
        provider(powerdns).ensure_record(NAME, "A", "100.64.0.9")
    assert (failed.value.code, failed.value.message) == ("404", "Not Found")


def test_a_wrong_api_key_fails_for_good() -> None:
    powerdns = PowerDns(httpx.Response(401, json={"error": "Unauthorized"}))
    with pytest.raises(ProviderError) as failed:
        provider(powerdns).ensure_absent(NAME, "A")
    assert failed.value.code == "401"


def test_a_429_waits_for_its_retry_after_then_succeeds() -> None:
    throttled = httpx.Response(429, headers={"Retry-After": "1"}, json={"error": "slow down"})
    powerdns = PowerDns(throttled, httpx.Response(200, json=zone()), NO_CONTENT)
    started = time.monotonic()
    assert provider(powerdns).ensure_record(NAME, "A", "100.64.0.9") == "shop.hostplane.test./A"
    assert time.monotonic() - started >= 1.0
    assert powerdns.sent == [f"GET {ZONE_URL}", f"GET {ZONE_URL}", f"PATCH {ZONE_URL}"]


def test_server_errors_and_lost_connections_are_retried() -> None:
    answers: list[httpx.Response | Exception] = [
        httpx.Response(500, json={"error": "Backend error"}),
        httpx.ConnectError("connection refused"),
        httpx.Response(200, json=zone(a_rrset("100.64.0.9"))),
        httpx.Response(503, text="Service Unavailable"),
        NO_CONTENT,
    ]
    sent: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    adapter = PowerDnsProvider(
        "http://pdns.test:8081", "changeme", "hostplane.test.", transport=httpx.MockTransport(flaky)
    )
    assert adapter.ensure_absent(NAME, "A") == ["shop.hostplane.test./A"]
    assert sent == ["GET", "GET", "GET", "PATCH", "PATCH"]
