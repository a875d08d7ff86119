"""Seed 003's customer journey end to end, as its SDK examples drive it: register, sign in,
save a card, buy a VPS with it, stop and start it, read its metrics, open its console, back
it up and restore the backup, set its firewall, delete it. Each step is checked where the
customer sees it (the API) and where it happens (the provider, the card's charges).
"""

from typing import Any
from uuid import uuid4

import httpx

from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.stack import Stack


class CloudVpsClient:
    """The seed's Python SDK example, grown to the journey's calls: every answer is the
    envelope, and a refusal is its error."""

    def __init__(self, base_url: str, token: str = "") -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        answer = httpx.request(
            method, f"{self.base_url}{path}", headers=self.headers, timeout=60, **kwargs
        )
        assert answer.status_code == expect, f"{method} {path}: {answer.text}"
        body = answer.json()
        assert body["success"] is (expect < 400)
        return body["data"] if body["success"] else body["error"]

    def vps(self, vps_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.call("GET", f"/vps/{vps_id}")
        return found

    def until_status(self, vps_id: str, status: str, timeout: float = 90) -> dict[str, Any]:
        def reached() -> dict[str, Any] | None:
            vps = self.vps(vps_id)
            return vps if vps["status"] == status else None

        found: dict[str, Any] = wait_until(reached, timeout, 0.3, what=f"the VPS {status}")
        return found


def test_a_customer_buys_runs_backs_up_and_deletes_a_vps(stack: Stack) -> None:
    plan = login(stack).cloudpod_product(price=12.5)
    api = f"{stack.cloudvps_url}/api/v1"
    email, password = f"sdk-{uuid4().hex[:8]}@example.com", "correct horse battery"
    anonymous = CloudVpsClient(api)
    anonymous.call(
        "POST",
        "/auth/register",
        201,
        json={"name": "Sam Dev", "email": email, "password": password},
    )
    token = anonymous.call("POST", "/auth/login", json={"email": email, "password": password})
    client = CloudVpsClient(api, token["token"])

    card = client.call(
        "POST",
        "/billing/payment-methods",
        201,
        json={"payment_method_id": "pm_card_visa", "set_as_default": True},
    )
    assert card["is_default"] is True
    assert [m["id"] for m in client.call("GET", "/billing/payment-methods")] == [card["id"]]

    created = client.call(
        "POST",
        "/vps",
        201,
        json={"name": "My Server", "plan_id": plan["id"], "operating_system": "ubuntu-24.04"},
    )
    vps_id = created["id"]
    running = client.until_status(vps_id, "running")
    assert running["name"] == "My Server" and running["ip_address"]
    [server] = stack.servers(vps_id)
    assert server.running
    [invoice] = client.call("GET", "/billing/invoices")
    assert invoice["status"] == "paid" and invoice["amount"] == 12.5

    client.call("POST", f"/vps/{vps_id}/stop")
    client.until_status(vps_id, "stopped")
    assert not stack.servers(vps_id)[0].running
    client.call("POST", f"/vps/{vps_id}/start")
    client.until_status(vps_id, "running")
    assert stack.servers(vps_id)[0].running

    metrics = client.call("GET", f"/vps/{vps_id}/metrics", params={"period": "hour"})
    assert 0 <= metrics["cpu_usage"] <= 100 and metrics["uptime"] >= 0
    console = client.call("GET", f"/vps/{vps_id}/console")
    assert console["console_url"].startswith(("ws", "http")) and console["vnc_password"]

    backup = client.call("POST", f"/vps/{vps_id}/backups", 201, json={"name": "before upgrade"})

    def completed() -> dict[str, Any] | None:
        listed = {b["id"]: b for b in client.call("GET", f"/vps/{vps_id}/backups")}
        found = listed.get(backup["id"])
        return found if found and found["status"] == "completed" else None

    wait_until(completed, 90, 0.3, what="the backup completed")
    client.call("POST", f"/vps/{vps_id}/backups/{backup['id']}/restore")
    client.until_status(vps_id, "running")

    rules = [{"action": "accept", "protocol": "tcp", "port": 22, "source": "203.0.113.0/24"}]
    network = client.call("PUT", f"/vps/{vps_id}/network", json={"firewall_rules": rules})
    assert [(r["protocol"], r["port"], r["source"]) for r in network["firewall_rules"]] == [
        ("tcp", 22, "203.0.113.0/24")
    ]
    shown = client.call("GET", f"/vps/{vps_id}/network")
    assert shown["firewall_rules"] == network["firewall_rules"]

    assert client.call("DELETE", f"/vps/{vps_id}") == {"id": vps_id, "deleted": True}
    wait_until(lambda: not stack.servers(vps_id), 90, 0.5, what="the server removed")
    client.call("GET", f"/vps/{vps_id}", 404)
