"""Outgoing webhooks end to end: the platform's admin registers an endpoint through CloudVPS's
admin API; a WHMCS order's `vps.created` reaches a local receiver, signed both ways with the
secret the admin was answered; the delivery log shows it delivered; a redelivery comes again
under the same `webhook-id`."""

import base64
import hmac
import json
import threading
from collections.abc import Iterator
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.e2e.test_instance_lifecycle import order
from tests.e2e.whmcs import Whmcs
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Stack


class Received:
    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes]] = []


@pytest.fixture
def receiver() -> Iterator[tuple[str, Received]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    server.shutdown()


def _admin(stack: Stack) -> dict[str, str]:
    login(stack)  # the first admin exists once billing has published it
    answer = httpx.post(
        f"{stack.cloudvps_url}/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    return {"Authorization": f"Bearer {answer.json()['data']['token']}"}


def test_an_order_reaches_the_admins_endpoint_signed_both_ways(
    stack: Stack, receiver: tuple[str, Received]
) -> None:
    url, received = receiver
    hooks = f"{stack.cloudvps_url}/api/v1/admin/webhooks"
    admin = _admin(stack)
    created = httpx.post(
        hooks, json={"url": url, "events": ["vps.created"]}, headers=admin, timeout=30
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()["data"]
    secret = endpoint["secret"]

    placed = Whmcs(stack.gateway_url).request("POST", "/api/instances", order())
    instance_id = placed.json()["id"]

    def delivered() -> tuple[dict[str, str], bytes] | None:
        for headers, body in received.deliveries:
            if json.loads(body)["data"].get("vps_id") == instance_id:
                return headers, body
        return None

    headers, body = wait_until(delivered, 60, 0.2, what="vps.created at the receiver")
    payload = json.loads(body)
    assert payload["event"] == "vps.created" and payload["timestamp"].endswith("Z")
    expected = hmac.new(secret.encode(), body, sha256).hexdigest()
    assert hmac.compare_digest(headers["x-webhook-signature"], expected)
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    key = base64.b64decode(secret.removeprefix("whsec_"))
    standard = base64.b64encode(hmac.new(key, signed, sha256).digest()).decode()
    assert f"v1,{standard}" in headers["webhook-signature"].split(" ")

    log = httpx.get(f"{hooks}/{endpoint['id']}/deliveries", headers=admin).json()["data"]
    mine = next(d for d in log if d["id"] == headers["webhook-id"])
    assert mine["status"] == "delivered" and mine["attempts"][0]["status"] == 204

    again = httpx.post(f"{hooks}/deliveries/{mine['id']}/redeliver", headers=admin, timeout=30)
    assert again.status_code == 200
    wait_until(
        lambda: [h["webhook-id"] for h, _ in received.deliveries].count(mine["id"]) == 2,
        30,
        0.2,
        what="the redelivery, under the same webhook-id",
    )


def test_an_unknown_event_is_refused_and_the_api_is_for_admins(stack: Stack) -> None:
    hooks = f"{stack.cloudvps_url}/api/v1/admin/webhooks"
    unknown = httpx.post(
        hooks,
        json={"url": "https://hooks.example.com/in", "events": ["vps.exploded"]},
        headers=_admin(stack),
        timeout=30,
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert httpx.get(hooks).status_code == 401
