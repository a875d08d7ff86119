"""What WHMCS sends for one instance, in the orders it sends it: every command is answered
for itself, none is refused for another in progress, and a change asked twice happens once."""

import threading
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import wait_until
from tests.e2e.conftest import Stack
from tests.e2e.test_instance_lifecycle import finished_jobs, order, wait_for_status
from tests.e2e.whmcs import Dashboard, Whmcs, token


@pytest.fixture
def whmcs(stack: Stack) -> Whmcs:
    return Whmcs(stack.gateway_url)


@pytest.fixture
def ordered(stack: Stack, whmcs: Whmcs) -> dict[str, Any]:
    """An active instance, with the order that made it."""
    body = order()
    created = whmcs.create(**body).json()
    return {**wait_for_status(stack, created["id"], "active"), "order": body}


def provider_calls(stack: Stack, instance: dict[str, Any], action: str) -> int:
    """How often the server's `action` (shutdown, poweron, ...) reached the provider."""
    route = f"POST /hetzner/v1/servers/{instance['server']['hetzner_id']}/actions/{action}"
    counts: dict[str, int] = stack.admin("GET", "/state").json()["request_counts"]
    return counts.get(route, 0)


def hook_job(stack: Stack, service_id: int) -> dict[str, Any] | None:
    """The finished job of the command a WHMCS hook became, once there is one."""
    with psycopg.connect(stack.database_url) as conn:
        row = conn.execute(
            "SELECT j.status, j.result FROM views.webhooks w JOIN views.jobs j "
            "ON j.id = w.command_id WHERE w.service_id = %s AND j.finished_at IS NOT NULL",
            (service_id,),
        ).fetchone()
    return {"status": row[0], "result": row[1]} if row else None


def job_started(stack: Stack, instance_id: str, command: str) -> bool:
    with psycopg.connect(stack.database_url) as conn:
        row = conn.execute(
            "SELECT 1 FROM views.jobs WHERE instance_id = %s AND command = %s",
            (instance_id, command),
        ).fetchone()
    return row is not None


def platform_log(stack: Stack, instance_id: str) -> list[str]:
    admin = Dashboard(stack.gateway_url, token("admin"))
    body = admin.request("GET", f"/api/instances/{instance_id}/logs?lines=100").json()
    return [entry["message"] for entry in body["logs"]]


def test_the_suspend_hook_then_the_module_command_suspend_once(
    stack: Stack, whmcs: Whmcs, ordered: dict[str, Any]
) -> None:
    service_id = ordered["order"]["whmcs_service_id"]
    hook = {
        "event": "AfterModuleSuspend",
        "service_id": service_id,
        "client_id": ordered["order"]["whmcs_client_id"],
        "data": {"reason": "Overdue on payment"},
    }
    assert whmcs.request("POST", "/api/webhooks/whmcs", hook).json() == {"received": True}

    module = whmcs.request("POST", f"/api/instances/{ordered['id']}/suspend")
    assert module.status_code == 200, module.text
    assert module.json()["status"] == "suspended"
    by_hook = wait_until(lambda: hook_job(stack, service_id), what="the hook's job")
    assert by_hook["status"] == "succeeded"
    assert module.json()["suspended_at"] == by_hook["result"]["at"]
    assert provider_calls(stack, ordered, "shutdown") == 1
    assert stack.hetzner().servers.get_by_id(ordered["server"]["hetzner_id"]).status == "off"


def test_suspend_unsuspend_and_delete_sent_back_to_back_all_happen_in_order(
    stack: Stack, whmcs: Whmcs, ordered: dict[str, Any]
) -> None:
    path = f"/api/instances/{ordered['id']}"
    # A slow shutdown keeps the suspend in progress while the others arrive.
    stack.admin(
        "POST",
        "/faults",
        {
            "method": "POST",
            "path": f"/hetzner/v1/servers/{ordered['server']['hetzner_id']}/actions/shutdown",
            "kind": "latency",
            "latency_s": 3,
            "times": 1,
        },
    )
    answers: dict[str, httpx.Response] = {}

    def send(name: str, method: str, url: str) -> threading.Thread:
        def call() -> None:
            answers[name] = Whmcs(stack.gateway_url).request(method, url)

        thread = threading.Thread(target=call)
        thread.start()
        return thread

    try:
        threads = []
        for name, method, url, command in [
            ("suspend", "POST", f"{path}/suspend", "SuspendInstance"),
            ("unsuspend", "POST", f"{path}/unsuspend", "UnsuspendInstance"),
            ("delete", "DELETE", path, "TerminateInstance"),
        ]:
            threads.append(send(name, method, url))
            # Each is sent once the one before was taken in, without waiting for its effect.
            wait_until(lambda c=command: job_started(stack, ordered["id"], c), what=command)
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stack.admin("DELETE", "/faults")

    bodies = {name: response.json() for name, response in answers.items()}
    assert {name: r.status_code for name, r in answers.items()} == {
        "suspend": 200,
        "unsuspend": 200,
        "delete": 200,
    }, bodies
    assert bodies["suspend"]["status"] == "suspended"
    assert bodies["unsuspend"]["status"] == "active"
    assert bodies["delete"] == {
        "id": ordered["id"],
        "status": "terminated",
        "terminated_at": bodies["delete"]["terminated_at"],
        "data_deleted": True,
    }
    moments = [
        bodies["suspend"]["suspended_at"],
        bodies["unsuspend"]["unsuspended_at"],
        bodies["delete"]["terminated_at"],
    ]
    assert moments == sorted(moments)
    assert provider_calls(stack, ordered, "shutdown") == 1
    assert provider_calls(stack, ordered, "poweron") == 1
    wait_for_status(stack, ordered["id"], "terminated")
    wait_until(
        lambda: "Unsuspend queued behind suspend" in platform_log(stack, ordered["id"]),
        what="the unsuspend's wait in the instance's log",
    )


def test_a_retried_suspend_answers_the_original_suspension(
    stack: Stack, whmcs: Whmcs, ordered: dict[str, Any]
) -> None:
    first = whmcs.request("POST", f"/api/instances/{ordered['id']}/suspend")
    assert first.status_code == 200, first.text
    retried = whmcs.request("POST", f"/api/instances/{ordered['id']}/suspend")
    assert retried.status_code == 200, retried.text
    assert retried.json() == {
        "id": ordered["id"],
        "status": "suspended",
        "suspended_at": first.json()["suspended_at"],
    }
    assert provider_calls(stack, ordered, "shutdown") == 1
    jobs = finished_jobs(stack, ordered["id"], "SuspendInstance")
    assert [job["status"] for job in jobs] == ["succeeded", "succeeded"]


def test_a_retried_delete_answers_the_original_termination(
    stack: Stack, whmcs: Whmcs, ordered: dict[str, Any]
) -> None:
    first = whmcs.request("DELETE", f"/api/instances/{ordered['id']}")
    assert first.status_code == 200, first.text
    retried = whmcs.request("DELETE", f"/api/instances/{ordered['id']}")
    assert retried.status_code == 200, retried.text
    assert retried.json() == first.json()
    assert retried.json()["status"] == "terminated"
    assert retried.json()["data_deleted"] is True


def test_unsuspending_a_terminated_instance_is_refused_naming_its_state(
    stack: Stack, whmcs: Whmcs, ordered: dict[str, Any]
) -> None:
    assert whmcs.request("DELETE", f"/api/instances/{ordered['id']}").status_code == 200
    refused = whmcs.request("POST", f"/api/instances/{ordered['id']}/unsuspend")
    assert refused.status_code == 409
    assert refused.json() == {
        "error": "Instance is terminated",
        "code": "INVALID_STATE",
        "details": {"status": "terminated"},
    }
    assert provider_calls(stack, ordered, "poweron") == 0
