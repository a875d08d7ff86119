"""CloudVPS Pro (seed 003) end to end, on its own listener: a CloudPod product an mPanel admin
creates is a plan customers see, in the contract's envelope, and the limit per address is
announced on every answer; customers register in billing and sign in, refresh and sign out;
the platform's first admin signs in as admin."""

from uuid import UUID, uuid4

import httpx

from hostplane.billing.domain.customer_account import account_customer_id
from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Stack


def test_a_product_the_admin_sells_is_a_plan(stack: Stack) -> None:
    product = login(stack).cloudpod_product(price=12.5)

    def listed() -> dict[str, object] | None:
        answer = httpx.get(f"{stack.cloudvps_url}/api/v1/plans")
        plans = {p["id"]: p for p in answer.json()["data"]} if answer.status_code == 200 else {}
        return plans.get(product["id"])

    plan = wait_until(listed, 30, 0.2, what="the product among the plans")
    assert plan["name"] == product["name"]
    assert plan["pricing"] == {"monthly": 12.5, "annually": 150, "currency": "USD"}
    assert plan["specifications"] == {"cpu": 2, "ram": 2, "storage": 40, "bandwidth": 20_000}

    one = httpx.get(f"{stack.cloudvps_url}/api/v1/plans/{product['id']}")
    assert one.json() == {"success": True, "data": plan}
    assert int(one.headers["X-RateLimit-Limit"]) > 0
    assert int(one.headers["X-RateLimit-Remaining"]) < int(one.headers["X-RateLimit-Limit"])

    missing = httpx.get(f"{stack.cloudvps_url}/api/v1/plans/plan-nothing")
    assert missing.status_code == 404
    assert missing.json()["success"] is False
    assert missing.json()["error"]["code"] == "NOT_FOUND"


def test_the_asyncapi_document_is_served(stack: Stack) -> None:
    document = httpx.get(f"{stack.gateway_url}/asyncapi.json").json()
    assert document["asyncapi"] == "3.0.0"
    assert "vps.events" in {c["address"] for c in document["channels"].values()}


def test_a_customer_registers_signs_in_and_signs_out(stack: Stack) -> None:
    api = f"{stack.cloudvps_url}/api/v1"
    email = f"jo-{uuid4().hex[:8]}@example.com"
    registered = httpx.post(
        f"{api}/auth/register", json={"name": "Jo Doe", "email": email, "password": "correct horse"}
    )
    assert registered.status_code == 201, registered.text
    again = httpx.post(
        f"{api}/auth/register",
        json={"name": "Jo Again", "email": email.upper(), "password": "correct horse"},
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "CONFLICT")

    login = httpx.post(f"{api}/auth/login", json={"email": email, "password": "correct horse"})
    assert login.status_code == 200
    session = login.json()["data"]
    bearer = {"Authorization": f"Bearer {session['token']}"}
    profile = httpx.get(f"{api}/users/profile", headers=bearer).json()["data"]
    assert (profile["email"], profile["role"], profile["status"]) == (email, "user", "active")

    refreshed = httpx.post(f"{api}/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 200
    replayed = httpx.post(f"{api}/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert replayed.status_code == 401

    fresh = httpx.post(f"{api}/auth/login", json={"email": email, "password": "correct horse"})
    token = fresh.json()["data"]
    assert (
        httpx.post(
            f"{api}/auth/logout", headers={"Authorization": f"Bearer {token['token']}"}
        ).status_code
        == 200
    )
    after = httpx.post(f"{api}/auth/refresh", json={"refresh_token": token["refresh_token"]})
    assert after.status_code == 401


def test_the_platforms_first_admin_signs_in_as_admin(stack: Stack) -> None:
    login(stack)  # the first admin exists once billing has published it
    answer = httpx.post(
        f"{stack.cloudvps_url}/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["user"]["role"] == "admin"


def _account(stack: Stack, name: str) -> tuple[dict[str, str], str]:
    """A new customer's bearer header, and the billing customer their account pays as."""
    answer = httpx.post(
        f"{stack.cloudvps_url}/api/v1/auth/register",
        json={
            "name": name,
            "email": f"{name}-{uuid4().hex[:8]}@example.com",
            "password": "pw-123456",
        },
    )
    data = answer.json()["data"]
    customer = account_customer_id(UUID(data["user"]["id"]))
    return {"Authorization": f"Bearer {data['token']}"}, str(customer)


def test_a_customers_vps_is_theirs_alone_and_deleting_it_removes_the_server(stack: Stack) -> None:
    jo, jo_customer = _account(stack, "jo")
    sam, _ = _account(stack, "sam")
    panel = login(stack)
    placed = panel.order(jo_customer, panel.cloudpod_product()["id"])
    panel.pay(placed["invoice"]["id"])
    api = f"{stack.cloudvps_url}/api/v1"

    def running() -> dict[str, object] | None:
        found = httpx.get(f"{api}/vps?status=running", headers=jo).json()["data"]
        return found[0] if found else None

    vps = wait_until(running, 90, 0.5, what="jo's VPS to run")
    assert vps["ip_address"] and vps["pricing"] == {"monthly_price": 9.99, "currency": "USD"}
    assert httpx.get(f"{api}/vps/{vps['id']}", headers=sam).status_code == 404
    assert httpx.get(f"{api}/vps", headers=sam).json()["data"] == []

    assert httpx.post(f"{api}/vps/{vps['id']}/restart", headers=jo).status_code == 200
    deleted = httpx.delete(f"{api}/vps/{vps['id']}", headers=jo)
    assert deleted.json()["data"] == {"id": vps["id"], "deleted": True}

    def gone() -> bool:
        listed = httpx.get(f"{api}/vps/{vps['id']}", headers=jo).status_code == 404
        return listed and not stack.servers(str(vps["id"]))

    wait_until(gone, 90, 0.5, what="the server to be removed")
