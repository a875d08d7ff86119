"""CloudVPS Pro's VPS networking end to end: a customer's firewall rules reach the VPS's
Hetzner Firewall at cloudsim and show in GET, a bad CIDR is refused with nothing made at
cloudsim, an additional IPv4 is a Floating IP assigned to the server, and deleting the VPS
deletes it."""

from typing import Any

import httpx

from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.e2e.test_cloudvps import _account
from tests.stack import Stack

HTTP = {"action": "accept", "protocol": "tcp", "port": 80, "source": "0.0.0.0/0"}
SSH = {"action": "accept", "protocol": "tcp", "port": "2200-2299", "source": "203.0.113.0/24"}


def _at_hetzner(stack: Stack, kind: str, instance_id: str) -> list[dict[str, Any]]:
    """cloudsim's Firewalls or Floating IPs labelled with the instance's id."""
    state = stack.admin("GET", "/network/hetzner").json()
    return [r for r in state[kind] if r["labels"].get("hostplane.io/instance-id") == instance_id]


def test_a_customer_firewalls_their_vps_and_adds_an_address_that_goes_with_it(
    stack: Stack,
) -> None:
    jo, jo_customer = _account(stack, "jo")
    sam, _ = _account(stack, "sam")
    panel = login(stack)
    panel.pay(panel.order(jo_customer, panel.cloudpod_product()["id"])["invoice"]["id"])
    api = f"{stack.cloudvps_url}/api/v1"

    def running() -> dict[str, Any] | None:
        found = httpx.get(f"{api}/vps?status=running", headers=jo).json()["data"]
        return found[0] if found else None

    vps = wait_until(running, 90, 0.5, what="jo's VPS to run")
    network = f"{api}/vps/{vps['id']}/network"

    bad = {**HTTP, "source": "10.0.0.1/8"}
    refused = httpx.put(network, headers=jo, json={"firewall_rules": [HTTP, bad]})
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert refused.json()["error"]["details"]
    assert _at_hetzner(stack, "firewalls", vps["id"]) == []
    assert httpx.get(network, headers=sam).status_code == 404
    assert httpx.put(network, headers=sam, json={"firewall_rules": [HTTP]}).status_code == 404

    updated = httpx.put(network, headers=jo, json={"firewall_rules": [HTTP, SSH]}, timeout=30)
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"]["firewall_rules"] == [HTTP, SSH]
    (firewall,) = _at_hetzner(stack, "firewalls", vps["id"])
    assert [(r["port"], r["source_ips"]) for r in firewall["rules"]] == [
        ("80", ["0.0.0.0/0"]),
        ("2200-2299", ["203.0.113.0/24"]),
    ]
    (server,) = stack.servers(vps["id"])
    assert [a["server"]["id"] for a in firewall["applied_to"]] == [server.id]

    added = httpx.post(f"{network}/ip", headers=jo, timeout=30)
    assert added.status_code == 201, added.text
    address = added.json()["data"]
    assert (address["version"], address["type"]) == (4, "additional")
    (floating,) = _at_hetzner(stack, "floating_ips", vps["id"])
    assert (floating["ip"], floating["server"]) == (address["address"], server.id)

    def shown() -> dict[str, Any] | None:
        data: dict[str, Any] = httpx.get(network, headers=jo).json()["data"]
        return data if data.get("firewall_rules") and data.get("additional_ips") else None

    seen = wait_until(shown, 30, 0.2, what="the network in GET")
    assert seen["ip_address"] == vps["ip_address"]
    assert seen["firewall_rules"] == [HTTP, SSH]
    assert [a["address"] for a in seen["additional_ips"]] == [address["address"]]

    assert httpx.delete(f"{api}/vps/{vps['id']}", headers=jo).status_code == 200

    def released() -> bool:
        gone = not _at_hetzner(stack, "floating_ips", vps["id"])
        return gone and not _at_hetzner(stack, "firewalls", vps["id"])

    wait_until(released, 90, 0.5, what="the Floating IP and Firewall to be deleted")
    assert not stack.servers(vps["id"])
