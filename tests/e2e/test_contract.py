"""Seed 000 (and seed 001's two admin endpoints), walked against the running stack.

Every answer must be exactly its contract model: re-serialising the validated model gives back
the same JSON, so no field is missing, renamed, extra or of another type.
"""

import random
import time
from typing import Any

import httpx
from pydantic import BaseModel

from hostplane.contracts import openclaw as c
from hostplane.contracts.identity import user_id_for
from hostplane.gateway.domain.signatures import sso_signature
from tests.conftest import wait_until
from tests.e2e.conftest import HMAC_SECRET, Stack
from tests.e2e.test_instance_lifecycle import order
from tests.e2e.whmcs import Dashboard, Whmcs, token

SEED_000 = [
    ("post", "/api/instances"),
    ("get", "/api/instances/{instance_id}"),
    ("post", "/api/instances/{instance_id}/suspend"),
    ("post", "/api/instances/{instance_id}/unsuspend"),
    ("delete", "/api/instances/{instance_id}"),
    ("post", "/api/instances/{instance_id}/reboot"),
    ("post", "/api/instances/{instance_id}/resize"),
    ("get", "/api/instances/{instance_id}/metrics"),
    ("get", "/api/instances/{instance_id}/logs"),
    ("post", "/api/instances/{instance_id}/config"),
    ("get", "/api/instances/{instance_id}/ai-usage"),
    ("post", "/api/auth/sso"),
    ("post", "/api/webhooks/whmcs"),
    ("get", "/api/admin/instances"),
    ("get", "/api/health"),
    ("post", "/api/instances/{instance_id}/ready"),
]
SEED_001 = [("get", "/api/admin/users"), ("get", "/api/admin/stats")]


def conforms(model: type[BaseModel], response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert model.model_validate(body).model_dump(mode="json") == body
    return body


def test_the_openapi_document_lists_every_contract_endpoint(stack: Stack) -> None:
    paths = httpx.get(f"{stack.gateway_url}/openapi.json").json()["paths"]
    for method, path in SEED_000 + SEED_001:
        assert method in paths.get(path, {}), f"{method.upper()} {path} missing from OpenAPI"
    assert httpx.get(f"{stack.gateway_url}/docs").status_code == 200


def test_every_endpoint_answers_its_contract_shape(stack: Stack) -> None:
    whmcs = Whmcs(stack.gateway_url)
    client_id = random.randint(1, 10**9)
    owner = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(client_id))))
    admin = Dashboard(stack.gateway_url, token("admin"))

    conforms(c.HealthResponse, httpx.get(f"{stack.gateway_url}/api/health"))
    created = conforms(
        c.CreateInstanceResponse,
        whmcs.create(**order(whmcs_client_id=client_id, hostname=f"c{client_id}")),
        201,
    )
    instance_id = created["id"]
    path = f"/api/instances/{instance_id}"
    wait_until(lambda: owner.get(instance_id).json().get("status") == "active", what="active")
    conforms(c.InstanceResponse, whmcs.get(instance_id))
    conforms(c.InstanceResponse, owner.get(instance_id))

    conforms(c.SuspendResponse, whmcs.request("POST", f"{path}/suspend"))
    conforms(c.UnsuspendResponse, whmcs.request("POST", f"{path}/unsuspend"))
    conforms(c.RebootResponse, owner.request("POST", f"{path}/reboot"))
    wait_for_log(admin, instance_id, "Server rebooted")
    conforms(c.ResizeResponse, whmcs.request("POST", f"{path}/resize", {"new_plan": "enterprise"}))
    conforms(
        c.UpdateConfigResponse,
        owner.request("POST", f"{path}/config", {"agent": {"model": "anthropic/claude-haiku"}}),
    )
    conforms(c.MetricsResponse, owner.request("GET", f"{path}/metrics?period=1h"))
    conforms(c.LogsResponse, owner.request("GET", f"{path}/logs?lines=5"))
    conforms(c.AIUsageResponse, owner.request("GET", f"{path}/ai-usage?period=30d"))

    ts = int(time.time())
    email = f"contract-{client_id}@example.com"
    sso = {
        "client_id": client_id,
        "service_id": 1,
        "email": email,
        "timestamp": ts,
        "signature": sso_signature(HMAC_SECRET, client_id, 1, email, ts),
    }
    conforms(c.SsoResponse, whmcs.request("POST", "/api/auth/sso", sso))
    hook = {"event": "ClientEdit", "service_id": 1, "client_id": client_id, "data": {}}
    conforms(c.WebhookReceived, whmcs.request("POST", "/api/webhooks/whmcs", hook))
    conforms(c.AdminInstancesResponse, admin.request("GET", "/api/admin/instances?limit=5"))
    conforms(c.AdminUsersResponse, admin.request("GET", "/api/admin/users?limit=5"))
    conforms(c.AdminStatsResponse, admin.request("GET", "/api/admin/stats"))

    ready = httpx.post(
        f"{stack.gateway_url}{path}/ready",
        json={"openclaw_version": "2026.11.0", "gateway_port": 18789},
        headers={"Authorization": f"Bearer {stack.instance_token(instance_id)}"},
    )
    conforms(c.ReadyResponse, ready)
    wait_for_log(admin, instance_id, "Moved to the enterprise plan (cx42)")
    conforms(c.TerminateResponse, whmcs.request("DELETE", path))
    conforms(c.TerminateResponse, whmcs.request("DELETE", path))  # already terminated
    conforms(c.ErrorResponse, whmcs.request("POST", f"{path}/unsuspend"), 409)


def wait_for_log(admin: Dashboard, instance_id: str, message: str) -> None:
    """Wait until the platform's log of the instance shows `message`."""

    def logged() -> bool:
        body = admin.request("GET", f"/api/instances/{instance_id}/logs?lines=100").json()
        return message in {entry["message"] for entry in body["logs"]}

    wait_until(logged, what=f"'{message}' in the instance's log")
