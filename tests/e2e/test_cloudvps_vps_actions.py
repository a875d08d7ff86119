"""CloudVPS Pro's VPS actions end to end: a customer stops their VPS (off at the provider,
`stopped` in the API), starts it again, rebuilds it with another operating system, renames
it, reads its metrics and opens its console; another user can do none of it (404)."""

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.e2e.test_cloudvps import _account
from tests.stack import Stack


def _running_vps(stack: Stack, headers: dict[str, str], customer: str) -> dict[str, Any]:
    panel = login(stack)
    placed = panel.order(customer, panel.cloudpod_product()["id"])
    panel.pay(placed["invoice"]["id"])

    def running() -> dict[str, Any] | None:
        found = httpx.get(
            f"{stack.cloudvps_url}/api/v1/vps?status=running", headers=headers
        ).json()["data"]
        return found[0] if found else None

    vps: dict[str, Any] = wait_until(running, 90, 0.5, what="the VPS to run")
    return vps


def _shown(stack: Stack, headers: dict[str, str], vps_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{stack.cloudvps_url}/api/v1/vps/{vps_id}", headers=headers)
    shown: dict[str, Any] = answer.json()["data"]
    return shown


def test_a_customer_stops_starts_rebuilds_and_renames_their_vps(stack: Stack) -> None:
    jo, jo_customer = _account(stack, "jo")
    sam, _ = _account(stack, "sam")
    vps = _running_vps(stack, jo, jo_customer)
    api, vps_id = f"{stack.cloudvps_url}/api/v1", str(vps["id"])

    for path in ("stop", "start", "rebuild"):
        refused = httpx.post(
            f"{api}/vps/{vps_id}/{path}", headers=sam, json={"operating_system": "debian-12"}
        )
        assert refused.status_code == 404
    assert httpx.put(f"{api}/vps/{vps_id}", headers=sam, json={"name": "x"}).status_code == 404

    stopped = httpx.post(f"{api}/vps/{vps_id}/stop", headers=jo, timeout=60)
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["data"]["status"] in ("stopping", "stopped")
    wait_until(lambda: _shown(stack, jo, vps_id)["status"] == "stopped", 60, 0.3, what="stopped")
    (server,) = stack.servers(vps_id)
    assert not server.running
    listed = httpx.get(f"{api}/vps?status=stopped", headers=jo).json()["data"]
    assert [v["id"] for v in listed] == [vps_id]
    console = httpx.get(f"{api}/vps/{vps_id}/console", headers=jo)
    assert (console.status_code, console.json()["error"]["code"]) == (409, "CONFLICT")
    again = httpx.post(f"{api}/vps/{vps_id}/stop", headers=jo, timeout=60)
    assert again.json()["data"]["status"] == "stopped"  # a stopped VPS stays as it is

    started = httpx.post(f"{api}/vps/{vps_id}/start", headers=jo, timeout=60)
    assert started.status_code == 200, started.text
    wait_until(lambda: _shown(stack, jo, vps_id)["status"] == "running", 60, 0.3, what="running")
    assert stack.servers(vps_id)[0].running

    unknown = httpx.post(
        f"{api}/vps/{vps_id}/rebuild", headers=jo, json={"operating_system": "windows-xp"}
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl jo@e2e"
    rebuilt = httpx.post(
        f"{api}/vps/{vps_id}/rebuild",
        headers=jo,
        json={"operating_system": "debian-12", "ssh_keys": [key]},
        timeout=60,
    )
    assert rebuilt.status_code == 200, rebuilt.text
    wait_until(
        lambda: _shown(stack, jo, vps_id)["operating_system"] == "Debian 12",
        60,
        0.3,
        what="the rebuild to show",
    )
    assert _shown(stack, jo, vps_id)["status"] == "running"
    (server,) = stack.servers(vps_id)
    assert stack.hetzner().servers.get_by_id(server.id).image.name == "debian-12"

    blank = httpx.put(f"{api}/vps/{vps_id}", headers=jo, json={"name": "   "})
    assert (blank.status_code, blank.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    renamed = httpx.put(f"{api}/vps/{vps_id}", headers=jo, json={"name": "db-primary"})
    assert renamed.status_code == 200 and renamed.json()["data"]["name"] == "db-primary"
    wait_until(
        lambda: _shown(stack, jo, vps_id)["name"] == "db-primary", 30, 0.3, what="the new name"
    )


def test_a_customer_reads_their_vps_metrics_and_opens_its_console(stack: Stack) -> None:
    jo, jo_customer = _account(stack, "jo")
    sam, _ = _account(stack, "sam")
    vps = _running_vps(stack, jo, jo_customer)
    api, vps_id = f"{stack.cloudvps_url}/api/v1", str(vps["id"])

    def metrics() -> dict[str, Any] | None:
        answer = httpx.get(f"{api}/vps/{vps_id}/metrics?period=hour", headers=jo)
        data: dict[str, Any] = answer.json()["data"]
        return data if data["metrics_history"] else None

    found = wait_until(metrics, 60, 0.5, what="the VPS's samples")
    assert found["cpu_usage"] >= 0 and found["uptime"] >= 0
    assert {"timestamp", "cpu", "ram", "disk", "network_in", "network_out"} <= set(
        found["metrics_history"][0]
    )
    bad = httpx.get(f"{api}/vps/{vps_id}/metrics?period=decade", headers=jo)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert httpx.get(f"{api}/vps/{vps_id}/metrics?period=hour", headers=sam).status_code == 404

    console = httpx.get(f"{api}/vps/{vps_id}/console", headers=jo, timeout=60)
    assert console.status_code == 200, console.text
    access = console.json()["data"]
    assert access["console_url"].startswith("wss://") and access["vnc_password"]
    assert datetime.fromisoformat(access["expires_at"]) > datetime.now(UTC)
    assert httpx.get(f"{api}/vps/{vps_id}/console", headers=sam).status_code == 404
