"""CloudVPS's admin endpoints end to end: an admin suspends a user, whose VPS is powered off
at the provider and who can no longer sign in; suspends one VPS; sees real figures and
lists; the system health asks every dependency, and shows a provider that fails as down."""

from typing import Any
from uuid import UUID, uuid4

import httpx

from hostplane.billing.domain.customer_account import account_customer_id
from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Stack


def _admin(stack: Stack) -> dict[str, str]:
    login(stack)  # the first admin exists once billing has published it
    answer = httpx.post(
        f"{stack.cloudvps_url}/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    return {"Authorization": f"Bearer {answer.json()['data']['token']}"}


def _customer_with_a_vps(stack: Stack, name: str) -> tuple[dict[str, str], str, str, Any]:
    """A new customer's bearer header, email and user id, and their running VPS."""
    email = f"{name}-{uuid4().hex[:8]}@example.com"
    data = httpx.post(
        f"{stack.cloudvps_url}/api/v1/auth/register",
        json={"name": name, "email": email, "password": "pw-123456"},
    ).json()["data"]
    headers = {"Authorization": f"Bearer {data['token']}"}
    panel = login(stack)
    customer = str(account_customer_id(UUID(data["user"]["id"])))
    placed = panel.order(customer, panel.cloudpod_product()["id"])
    panel.pay(placed["invoice"]["id"])

    def running() -> Any:
        found = httpx.get(f"{stack.cloudvps_url}/api/v1/vps?status=running", headers=headers)
        return found.json()["data"][0] if found.json()["data"] else None

    vps = wait_until(running, 90, 0.5, what=f"{name}'s VPS to run")
    return headers, email, data["user"]["id"], vps


def test_an_admin_suspends_a_user_and_their_vps_stops(stack: Stack) -> None:
    admin = _admin(stack)
    api = f"{stack.cloudvps_url}/api/v1/admin"
    jo, email, jo_id, vps = _customer_with_a_vps(stack, "jo")
    assert httpx.get(f"{api}/users", headers=jo).status_code == 403

    suspended = httpx.post(
        f"{api}/users/{jo_id}/suspend", json={"reason": "chargeback"}, headers=admin
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["data"]["status"] == "suspended"
    signing_in = httpx.post(
        f"{stack.cloudvps_url}/api/v1/auth/login", json={"email": email, "password": "pw-123456"}
    )
    assert signing_in.status_code == 403
    assert httpx.get(f"{stack.cloudvps_url}/api/v1/users/profile", headers=jo).status_code == 401

    def powered_off() -> bool:
        servers = stack.servers(str(vps["id"]))
        return bool(servers) and not any(s.running for s in servers)

    wait_until(powered_off, 60, 0.5, what="jo's server to be powered off")
    listed = httpx.get(f"{api}/vps?user_id={jo_id}", headers=admin).json()["data"]
    assert [(v["id"], v["status"]) for v in listed] == [(vps["id"], "suspended")]


def test_an_admin_suspends_one_vps_and_sees_the_figures(stack: Stack) -> None:
    admin = _admin(stack)
    api = f"{stack.cloudvps_url}/api/v1/admin"
    sam, _, sam_id, vps = _customer_with_a_vps(stack, "sam")

    answer = httpx.post(
        f"{api}/vps/{vps['id']}/suspend", json={"reason": "abuse report"}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["status"] == "suspended"
    wait_until(
        lambda: not any(s.running for s in stack.servers(str(vps["id"]))),
        60,
        0.5,
        what="sam's server to be powered off",
    )
    assert httpx.get(f"{stack.cloudvps_url}/api/v1/users/profile", headers=sam).status_code == 200

    stats = httpx.get(f"{api}/stats", headers=admin).json()["data"]
    assert stats["total_users"] >= 1 and stats["vps_by_status"].get("suspended", 0) >= 1
    assert stats["monthly_revenue"] >= 9.99 and stats["currency"] == "USD"
    users = httpx.get(f"{api}/users?search=sam-", headers=admin).json()["data"]
    assert sam_id in {u["id"] for u in users}


def test_system_health_asks_every_dependency(stack: Stack) -> None:
    admin = _admin(stack)
    url = f"{stack.cloudvps_url}/api/v1/admin/system/health"
    health = httpx.get(url, headers=admin, timeout=30).json()["data"]
    assert health["status"] == "healthy", health
    assert {"database", "kafka", "hetzner", "proxmox", "stripe"} <= set(health["checks"])
    assert all(c["status"] == "up" for c in health["checks"].values())

    fault = {"method": "GET", "path": "/stripe/v1/balance", "kind": "status", "status": 503}
    httpx.post(f"{stack.cloudsim_url}/_admin/faults", json=fault | {"times": 1}).raise_for_status()
    degraded = httpx.get(url, headers=admin, timeout=30).json()["data"]
    assert degraded["status"] == "degraded"
    assert degraded["checks"]["stripe"]["status"] == "down"
    assert degraded["services"]["stripe"] == "offline"
