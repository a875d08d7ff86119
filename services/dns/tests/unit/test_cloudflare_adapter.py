"""The Cloudflare adapter against Cloudflare's v4 wire shapes, as its API documentation gives
them (DNS Records: list, create, patch, delete; the `{success, errors, messages, result}`
envelope; error codes 81057 "Record already exists.", 81044 "Record does not exist.").

Each scenario serves the answers Cloudflare gives, in order, and checks what the adapter sent.
"""

import json
import time
from typing import Any

import httpx
import pytest

from hostplane.dns.adapters.cloudflare import CloudflareProvider
from hostplane.providers.errors import ProviderError
from services.dns.tests.unit.scripted import ScriptedApi

ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"
RECORD_ID = "372e67954025e0ba6aaa6d586b9e0b59"
RECORDS_URL = f"https://api.cloudflare.com/client/v4/zones/{ZONE_ID}/dns_records"
NAME = "shop.hostplane.test"


def envelope(result: Any, status: int = 200, **extra: Any) -> httpx.Response:
    body = {"success": True, "errors": [], "messages": [], "result": result, **extra}
    return httpx.Response(status, json=body)


def failure(status: int, code: int, message: str) -> httpx.Response:
    body = {"success": False, "errors": [{"code": code, "message": message}], "messages": []}
    return httpx.Response(status, json={**body, "result": None})


def record(content: str, record_id: str = RECORD_ID) -> dict[str, Any]:
    return {
        "id": record_id,
        "zone_id": ZONE_ID,
        "zone_name": "hostplane.test",
        "name": NAME,
        "type": "A",
        "content": content,
        "proxiable": True,
        "proxied": False,
        "ttl": 60,
        "locked": False,
        "comment": "managed by hostplane",
        "tags": [],
        "created_on": "2014-01-01T05:20:00.12345Z",
        "modified_on": "2014-01-01T05:20:00.12345Z",
        "meta": {"auto_added": False, "source": "primary"},
    }


def listing(*records: dict[str, Any]) -> httpx.Response:
    info = {"page": 1, "per_page": 100, "count": len(records), "total_count": len(records)}
    return envelope(list(records), result_info={**info, "total_pages": 1})


def provider(cloudflare: ScriptedApi) -> CloudflareProvider:
    return CloudflareProvider(
        api_base="https://api.cloudflare.com/client/v4",
        token="cf-token",
        zone_id=ZONE_ID,
        transport=httpx.MockTransport(cloudflare),
    )


def test_an_absent_record_is_looked_up_then_created() -> None:
    cloudflare = ScriptedApi(listing(), envelope(record("100.64.0.9")))
    assert provider(cloudflare).ensure_record(NAME, "A", "100.64.0.9") == RECORD_ID
    assert cloudflare.sent == [f"GET {RECORDS_URL}", f"POST {RECORDS_URL}"]
    lookup, create = cloudflare.requests
    assert lookup.headers["Authorization"] == "Bearer cf-token"
    assert dict(lookup.url.params) == {"name": NAME, "type": "A"}
    assert json.loads(create.content) == {
        "type": "A",
        "name": NAME,
        "content": "100.64.0.9",
        "ttl": 60,
        "proxied": False,
        "comment": "managed by hostplane",
    }


def test_a_record_already_there_is_left_alone_and_keeps_its_id() -> None:
    cloudflare = ScriptedApi(listing(record("100.64.0.9")))
    assert provider(cloudflare).ensure_record(NAME, "A", "100.64.0.9") == RECORD_ID
    assert cloudflare.sent == [f"GET {RECORDS_URL}"]


def test_a_record_pointing_elsewhere_is_patched() -> None:
    cloudflare = ScriptedApi(listing(record("100.64.0.1")), envelope(record("100.64.0.9")))
    assert provider(cloudflare).ensure_record(NAME, "A", "100.64.0.9") == RECORD_ID
    assert cloudflare.sent[1] == f"PATCH {RECORDS_URL}/{RECORD_ID}"
    assert json.loads(cloudflare.requests[1].content) == {"content": "100.64.0.9"}


def test_a_create_whose_answer_was_lost_finds_the_record_made() -> None:
    cloudflare = ScriptedApi(
        listing(),
        failure(400, 81057, "Record already exists."),
        listing(record("100.64.0.9")),
    )
    assert provider(cloudflare).ensure_record(NAME, "A", "100.64.0.9") == RECORD_ID


def test_absent_deletes_every_matching_record() -> None:
    other = "0c1e2ea4cf7fa0a3b2c8f8a3c3a9ec1e"
    cloudflare = ScriptedApi(
        listing(record("100.64.0.9"), record("100.64.0.8", other)),
        envelope({"id": RECORD_ID}),
        listing(record("100.64.0.8", other)),
        envelope({"id": other}),
        listing(),
    )
    assert provider(cloudflare).ensure_absent(NAME, "A") == [RECORD_ID, other]
    assert cloudflare.sent[1] == f"DELETE {RECORDS_URL}/{RECORD_ID}"


def test_absent_when_gone_already_deletes_nothing() -> None:
    cloudflare = ScriptedApi(listing())
    assert provider(cloudflare).ensure_absent(NAME, "A") == []


def test_a_record_deleted_meanwhile_counts_as_gone() -> None:
    cloudflare = ScriptedApi(
        listing(record("100.64.0.9")), failure(404, 81044, "Record does not exist."), listing()
    )
    assert provider(cloudflare).ensure_absent(NAME, "A") == [RECORD_ID]


def test_a_record_cloudflare_refuses_fails_for_good_with_its_code() -> None:
    cloudflare = ScriptedApi(listing(), failure(400, 1004, "DNS Validation Error"))
    with pytest.raises(ProviderError) as failed:
        provider(cloudflare).ensure_record(NAME, "A", "not-an-address")
    assert (failed.value.code, failed.value.message) == ("1004", "DNS Validation Error")
    assert len(cloudflare.requests) == 2  # not retried


def test_an_unknown_zone_fails_for_good() -> None:
    message = f"Could not route to /zones/{ZONE_ID}/dns_records, perhaps your object identifier is invalid?"
    cloudflare = ScriptedApi(failure(404, 7003, message))
    with pytest.raises(ProviderError) as failed:
        provider(cloudflare).ensure_absent(NAME, "A")
    assert failed.value.code == "7003"


def test_a_429_waits_for_its_retry_after_then_succeeds() -> None:
    throttled = failure(429, 971, "Please wait and consider throttling your request speed")
    throttled.headers["Retry-After"] = "1"
    cloudflare = ScriptedApi(throttled, listing(record("100.64.0.9")))
    started = time.monotonic()
    assert provider(cloudflare).ensure_record(NAME, "A", "100.64.0.9") == RECORD_ID
    assert time.monotonic() - started >= 1.0
    assert len(cloudflare.requests) == 2


def test_server_errors_are_retried() -> None:
    cloudflare = ScriptedApi(
        httpx.Response(502, text="<html>Bad gateway</html>"),
        httpx.Response(503, text="Service Unavailable"),
        listing(),
    )
    assert provider(cloudflare).ensure_absent(NAME, "A") == []
    assert len(cloudflare.requests) == 3
