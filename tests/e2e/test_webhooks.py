"""WHMCS hooks: mapped ones act (once), every one is recorded."""

import random

import psycopg

from tests.conftest import wait_until
from tests.e2e.conftest import Stack
from tests.e2e.test_instance_lifecycle import order, wait_for_status
from tests.e2e.whmcs import Whmcs


def recorded(stack: Stack, service_id: int) -> list[tuple[str, object]]:
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            "SELECT event, command_id FROM views.webhooks WHERE service_id = %s", (service_id,)
        ).fetchall()
    return [(event, command_id) for event, command_id in rows]


def test_a_suspend_hook_delivered_twice_suspends_once(stack: Stack) -> None:
    whmcs = Whmcs(stack.gateway_url)
    body = order()
    created = whmcs.create(**body).json()
    instance = wait_for_status(stack, created["id"], "active")
    hook = {
        "event": "AfterModuleSuspend",
        "service_id": body["whmcs_service_id"],
        "client_id": body["whmcs_client_id"],
        "data": {"reason": "Overdue on payment"},
    }
    for _ in range(2):
        response = whmcs.request("POST", "/api/webhooks/whmcs", hook)
        assert response.status_code == 200
        assert response.json() == {"received": True}

    wait_for_status(stack, created["id"], "suspended")
    shutdowns = f"POST /hetzner/v1/servers/{instance['server']['hetzner_id']}/actions/shutdown"
    wait_until(lambda: len(recorded(stack, body["whmcs_service_id"])) == 1, what="the record")
    assert stack.admin("GET", "/state").json()["request_counts"].get(shutdowns) == 1
    [(event, command_id)] = recorded(stack, body["whmcs_service_id"])
    assert event == "AfterModuleSuspend"
    assert command_id is not None


def test_other_hooks_are_recorded_and_acknowledged(stack: Stack) -> None:
    service_id = random.randint(1, 2**31 - 1)
    hook = {"event": "ClientEdit", "service_id": service_id, "client_id": 5, "data": {"x": 1}}
    response = Whmcs(stack.gateway_url).request("POST", "/api/webhooks/whmcs", hook)
    assert response.json() == {"received": True}
    wait_until(lambda: recorded(stack, service_id) == [("ClientEdit", None)], what="the record")


def test_a_malformed_hook_is_400_and_unsigned_is_401(stack: Stack) -> None:
    whmcs = Whmcs(stack.gateway_url)
    bad = whmcs.request("POST", "/api/webhooks/whmcs", {"event": "X", "service_id": "one"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "VALIDATION_ERROR"
    unsigned = whmcs.request(
        "POST",
        "/api/webhooks/whmcs",
        {"event": "X", "service_id": 1, "client_id": 1},
        signature="f" * 64,
    )
    assert unsigned.status_code == 401
