"""CloudVPS Pro's VPS actions end to end: a customer stops their VPS (off at the provider,
`stopped` in the API), starts it again, rebuilds it with another operating system, renames
it, reads its metrics and opens its console, whose VNC password is stored nowhere in clear;
a VPS at Proxmox is rebuilt too; another user can do none of it (404)."""

from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
from psycopg import sql

from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.e2e.test_cloudvps import _account
from tests.stack import Stack

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl jo@e2e"


def _running_vps(
    stack: Stack, headers: dict[str, str], customer: str, region: str = "eu-frankfurt"
) -> dict[str, Any]:
    panel = login(stack)
    placed = panel.order(customer, panel.cloudpod_product(region=region)["id"])
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
    rebuilt = httpx.post(
        f"{api}/vps/{vps_id}/rebuild",
        headers=jo,
        json={"operating_system": "debian-12", "ssh_keys": [KEY]},
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
    assert _tables_holding(stack.database_url, vps_id)  # the search finds what is there
    assert _tables_holding(stack.database_url, access["vnc_password"]) == []
    # The URL may carry a ticket that opens the console (Proxmox's is the password itself).
    assert _tables_holding(stack.database_url, access["console_url"]) == []


def _tables_holding(database_url: str, text: str) -> list[str]:
    """Every table of the stack's database (every schema: event stores, outboxes, read
    models) with a row holding `text` in clear: in its text, JSON or, as hex, its bytes."""
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        holding = []
        for schema, table in tables:
            query = sql.SQL(
                "SELECT EXISTS (SELECT FROM {}.{} AS r"
                " WHERE strpos(r::text, %s) > 0 OR strpos(r::text, %s) > 0)"
            ).format(sql.Identifier(schema), sql.Identifier(table))
            found = conn.execute(query, (text, text.encode().hex())).fetchone()
            if found is not None and found[0]:
                holding.append(f"{schema}.{table}")
        return holding


def _proxmox_vm(stack: Stack, vps_id: str) -> dict[str, Any]:
    (vm,) = [
        vm
        for vm in stack.admin("GET", "/proxmox/vms").json()
        if vm["config"].get("name") == f"hp-{vps_id}"
    ]
    found: dict[str, Any] = vm
    return found


def test_a_customer_rebuilds_their_vps_at_proxmox_with_another_system(stack: Stack) -> None:
    jo, jo_customer = _account(stack, "jo")
    vps = _running_vps(stack, jo, jo_customer, region="jp-tokyo")
    api, vps_id = f"{stack.cloudvps_url}/api/v1", str(vps["id"])
    before = _proxmox_vm(stack, vps_id)

    rebuilt = httpx.post(
        f"{api}/vps/{vps_id}/rebuild",
        headers=jo,
        json={"operating_system": "debian-12", "ssh_keys": [KEY]},
        timeout=60,
    )
    assert rebuilt.status_code in (200, 202), rebuilt.text
    wait_until(
        lambda: (
            _shown(stack, jo, vps_id)["operating_system"] == "Debian 12"
            and _shown(stack, jo, vps_id)["status"] == "running"
        ),
        90,
        0.3,
        what="the rebuild to show",
    )
    vm = _proxmox_vm(stack, vps_id)
    assert (vm["vmid"], vm["status"]) == (before["vmid"], "running")
    disks = sorted(key for key in vm["config"] if key.startswith("unused") or key == "scsi0")
    assert disks == ["scsi0"] and vm["config"]["scsi0"] != before["config"]["scsi0"]
    assert vm["config"]["scsi0"].endswith(before["config"]["scsi0"].rsplit(",", 1)[1])

    def osinfo() -> dict[str, Any] | None:
        answer = httpx.get(
            f"{stack.cloudsim_url}/proxmox/api2/json/nodes/{vm['node']}/qemu/{vm['vmid']}"
            "/agent/get-osinfo",
            headers={"Authorization": "PVEAPIToken=hostplane@pve!e2e=e2e"},
        )
        return answer.json()["data"]["result"] if answer.status_code == 200 else None

    found = wait_until(osinfo, 30, 0.2, what="the guest agent")
    assert (found["id"], found["version-id"]) == ("debian", "12")
