"""The dashboard reboots an instance; WHMCS moves it to another plan."""

import random

import pytest

from hostplane.contracts.identity import user_id_for
from tests.conftest import wait_until
from tests.e2e.conftest import Stack
from tests.e2e.test_instance_lifecycle import finished_jobs, order, wait_for_status
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


def test_an_unknown_plan_is_refused_at_once(stack: Stack, active: dict) -> None:
    response = Whmcs(stack.gateway_url).request(
        "POST", f"/api/instances/{active['id']}/resize", {"new_plan": "gigantic"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_PLAN"


def test_a_resize_to_the_plan_it_is_on_changes_nothing(stack: Stack, active: dict) -> None:
    response = Whmcs(stack.gateway_url).request(
        "POST", f"/api/instances/{active['id']}/resize", {"new_plan": "starter"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resizing"
    [job] = wait_until(
        lambda: finished_jobs(stack, active["id"], "ResizeInstance"), what="the resize job"
    )
    assert job["status"] == "succeeded"
    assert job["result"]["plan"] == "starter"
    server = stack.hetzner().servers.get_by_id(active["server"]["hetzner_id"])
    assert server.server_type.name == "cx22"


def test_a_downgrade_the_disk_cannot_take_fails_its_job(stack: Stack) -> None:
    whmcs = Whmcs(stack.gateway_url)
    created = whmcs.create(**order(plan="enterprise")).json()
    instance = wait_for_status(stack, created["id"], "active")
    response = whmcs.request(
        "POST", f"/api/instances/{created['id']}/resize", {"new_plan": "starter"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": created["id"],
        "old_plan": "enterprise",
        "new_plan": "starter",
        "status": "resizing",
    }
    [job] = wait_until(
        lambda: finished_jobs(stack, created["id"], "ResizeInstance"), what="the resize job"
    )
    assert (job["status"], job["error_code"]) == ("failed", "DOWNGRADE_NOT_POSSIBLE")
    assert "cannot shrink" in job["error_message"]
    server = stack.hetzner().servers.get_by_id(instance["server"]["hetzner_id"])
    assert server.server_type.name == "cx42"


def test_a_reboot_of_a_suspended_instance_fails_its_job(stack: Stack, active: dict) -> None:
    whmcs = Whmcs(stack.gateway_url)
    assert whmcs.request("POST", f"/api/instances/{active['id']}/suspend").status_code == 200
    owner = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(active["client_id"]))))
    response = owner.request("POST", f"/api/instances/{active['id']}/reboot")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rebooting"
    [job] = wait_until(
        lambda: finished_jobs(stack, active["id"], "RebootInstance"), what="the reboot job"
    )
    assert (job["status"], job["error_code"], job["error_message"]) == (
        "failed",
        "INVALID_STATE",
        "Instance is suspended",
    )
    reboots = f"POST /hetzner/v1/servers/{active['server']['hetzner_id']}/actions/reboot"
    assert stack.admin("GET", "/state").json()["request_counts"].get(reboots) is None
