"""The dashboard reboots an instance; WHMCS moves it to another plan."""

import random

import pytest

from hostplane.contracts.identity import user_id_for
from tests.conftest import wait_until
from tests.e2e.conftest import Stack
from tests.e2e.test_instance_lifecycle import order, wait_for_status
from tests.e2e.whmcs import Dashboard, Whmcs, token


@pytest.fixture
def active(stack: Stack) -> dict:
    client_id = random.randint(1, 10**9)
    created = Whmcs(stack.gateway_url).create(**order(whmcs_client_id=client_id)).json()
    instance = wait_for_status(stack, created["id"], "active")
    return {**instance, "client_id": client_id}


def test_the_owner_reboots_an_active_instance(stack: Stack, active: dict) -> None:
    owner = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(active["client_id"]))))
    response = owner.request("POST", f"/api/instances/{active['id']}/reboot")
    assert response.status_code == 200, response.text
    assert response.json() == {"id": active["id"], "status": "rebooting", "estimated_ready": 30}

    def rebooted() -> bool:
        counts = stack.admin("GET", "/state").json()["request_counts"]
        return (
            counts.get(
                f"POST /hetzner/v1/servers/{active['server']['hetzner_id']}/actions/reboot", 0
            )
            == 1
        )

    wait_until(rebooted, what="the reboot to reach the provider")
    stranger = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(1))))
    assert stranger.request("POST", f"/api/instances/{active['id']}/reboot").status_code == 404


def test_whmcs_resizes_to_a_bigger_plan(stack: Stack, active: dict) -> None:
    whmcs = Whmcs(stack.gateway_url)
    response = whmcs.request(
        "POST", f"/api/instances/{active['id']}/resize", {"new_plan": "professional"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": active["id"],
        "old_plan": "starter",
        "new_plan": "professional",
        "status": "resizing",
    }
    admin = Dashboard(stack.gateway_url, token("admin"))
    wait_until(
        lambda: admin.get(active["id"]).json()["plan"] == "professional", what="the new plan"
    )
    instance = admin.get(active["id"]).json()
    assert instance["server"]["server_type"] == "cx32"
    assert instance["status"] == "active"
    server = stack.hetzner().servers.get_by_id(active["server"]["hetzner_id"])
    assert server.server_type.name == "cx32"
    assert server.status == "running"


@pytest.mark.parametrize(
    ("new_plan", "status", "code"),
    [("gigantic", 400, "INVALID_PLAN"), ("starter", 409, "INVALID_STATE")],
)
def test_a_resize_that_cannot_happen_is_refused(
    stack: Stack, active: dict, new_plan: str, status: int, code: str
) -> None:
    response = Whmcs(stack.gateway_url).request(
        "POST", f"/api/instances/{active['id']}/resize", {"new_plan": new_plan}
    )
    assert response.status_code == status
    assert response.json()["code"] == code


def test_a_downgrade_the_disk_cannot_take_is_refused(stack: Stack) -> None:
    whmcs = Whmcs(stack.gateway_url)
    created = whmcs.create(**order(plan="enterprise")).json()
    wait_for_status(stack, created["id"], "active")
    response = whmcs.request(
        "POST", f"/api/instances/{created['id']}/resize", {"new_plan": "starter"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "DOWNGRADE_NOT_POSSIBLE"
    assert "cannot shrink" in body["error"]
