"""A WHMCS order becomes a running VPS with DNS, and WHMCS can suspend and terminate it."""

import random
import time
from typing import Any

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from hcloud import APIException
from psycopg.rows import dict_row

from hostplane.contracts.topics import PROVISIONING_COMMANDS
from tests.conftest import wait_until
from tests.e2e.conftest import DOMAIN, UNSOLD_REGION, Stack
from tests.e2e.whmcs import Dashboard, Whmcs, token

INSTANCE_LABEL = "hostplane.io/instance-id"


def order(**overrides: Any) -> dict[str, Any]:
    return {
        "whmcs_service_id": random.randint(1, 2**31 - 1),
        "whmcs_client_id": random.randint(1, 10**6),
        "plan": "starter",
        "region": "eu-frankfurt",
        "email": "owner@example.com",
        **overrides,
    }


@pytest.fixture
def whmcs(stack: Stack) -> Whmcs:
    return Whmcs(stack.gateway_url)


def wait_for_status(stack: Stack, instance_id: str, status: str, timeout: float = 20) -> dict:
    admin = Dashboard(stack.gateway_url, token("admin"))

    def probe() -> dict | None:
        response = admin.get(instance_id)
        body = response.json() if response.status_code == 200 else None
        return body if body and body["status"] == status else None

    return wait_until(probe, timeout, what=f"instance {instance_id} to be {status}")


def servers_of(stack: Stack, instance_id: str) -> list[Any]:
    return stack.hetzner().servers.get_all(label_selector=f"{INSTANCE_LABEL}={instance_id}")


def finished_jobs(stack: Stack, instance_id: str, command: str) -> list[dict[str, Any]]:
    """The instance's finished jobs for `command` (e.g. "ResizeInstance"), oldest first."""
    with psycopg.connect(stack.database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT status, error_code, error_message, result FROM views.jobs "
            "WHERE instance_id = %s AND command = %s AND finished_at IS NOT NULL "
            "ORDER BY finished_at",
            (instance_id, command),
        ).fetchall()


def test_an_order_becomes_active_with_server_and_dns(stack: Stack, whmcs: Whmcs) -> None:
    created = whmcs.create(**order(hostname="shop-one", plan="professional"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "provisioning"
    assert body["subdomain"] == "shop-one"
    assert body["url"] == f"https://shop-one.{DOMAIN}"

    instance = wait_for_status(stack, body["id"], "active")
    assert instance["ip_address"]
    assert instance["server"]["hetzner_id"] > 0
    assert instance["server"]["server_type"] == "cx32"
    assert instance["dns"]["cloudflare_record_id"]
    assert instance["openclaw_version"]
    assert instance["health"]["gateway_status"] == "up"

    server = stack.hetzner().servers.get_by_id(instance["server"]["hetzner_id"])
    assert server.status == "running"
    assert server.labels[INSTANCE_LABEL] == body["id"]
    assert server.public_net.ipv4.ip == instance["ip_address"]
    records = stack.cloudflare_records(f"shop-one.{DOMAIN}")
    assert [(r["id"], r["type"], r["content"]) for r in records] == [
        (instance["dns"]["cloudflare_record_id"], "A", instance["ip_address"])
    ]


def test_suspend_unsuspend_and_terminate_act_at_the_provider(stack: Stack, whmcs: Whmcs) -> None:
    instance_id = whmcs.create(**order()).json()["id"]
    instance = wait_for_status(stack, instance_id, "active")
    hetzner_id = instance["server"]["hetzner_id"]
    fqdn = f"{instance['subdomain']}.{DOMAIN}"

    suspended = whmcs.request("POST", f"/api/instances/{instance_id}/suspend")
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended" and suspended.json()["suspended_at"]
    assert stack.hetzner().servers.get_by_id(hetzner_id).status == "off"

    again = whmcs.request("POST", f"/api/instances/{instance_id}/suspend")
    assert again.status_code == 200, again.text  # already suspended: answered as it is
    assert again.json() == suspended.json()

    unsuspended = whmcs.request("POST", f"/api/instances/{instance_id}/unsuspend")
    assert unsuspended.status_code == 200, unsuspended.text
    assert unsuspended.json()["status"] == "active"
    assert stack.hetzner().servers.get_by_id(hetzner_id).status == "running"

    terminated = whmcs.request("DELETE", f"/api/instances/{instance_id}")
    assert terminated.status_code == 200, terminated.text
    assert terminated.json() == {
        "id": instance_id,
        "status": "terminated",
        "terminated_at": terminated.json()["terminated_at"],
        "data_deleted": True,
    }
    with pytest.raises(APIException):
        stack.hetzner().servers.get_by_id(hetzner_id)
    wait_until(lambda: not stack.cloudflare_records(fqdn), what="the DNS record to go")
    assert wait_for_status(stack, instance_id, "terminated")["status"] == "terminated"


def test_a_retried_create_answers_the_same_instance_and_builds_one_server(
    stack: Stack, whmcs: Whmcs
) -> None:
    request = order()
    first = whmcs.create(**request)
    # WHMCS retries with a fresh timestamp: the same signature twice is a replay.
    second = whmcs.request("POST", "/api/instances", request, timestamp=int(time.time()) - 1)
    assert first.status_code == 201
    assert second.status_code in (200, 201)
    assert second.json()["id"] == first.json()["id"]
    wait_for_status(stack, first.json()["id"], "active")
    third = whmcs.create(**request)
    assert third.status_code == 200
    assert third.json()["id"] == first.json()["id"]
    assert len(servers_of(stack, first.json()["id"])) == 1


def test_a_provider_5xx_is_retried_to_success(stack: Stack, whmcs: Whmcs) -> None:
    stack.admin(
        "POST",
        "/faults",
        {
            "method": "POST",
            "path": "/hetzner/v1/servers",
            "kind": "status",
            "status": 503,
            "times": 2,
        },
    )
    try:
        instance_id = whmcs.create(**order()).json()["id"]
        wait_for_status(stack, instance_id, "active")
        assert len(servers_of(stack, instance_id)) == 1
    finally:
        stack.admin("DELETE", "/faults")


def test_a_permanent_dns_failure_rolls_back_to_error(stack: Stack, whmcs: Whmcs) -> None:
    stack.admin(
        "POST",
        "/faults",
        {
            "method": "POST",
            "path": "/cloudflare/client/v4/zones/*",
            "kind": "status",
            "status": 400,
        },
    )
    try:
        created = whmcs.create(**order()).json()
        wait_for_status(stack, created["id"], "error")
    finally:
        stack.admin("DELETE", "/faults")
    assert servers_of(stack, created["id"]) == []
    assert stack.cloudflare_records(f"{created['subdomain']}.{DOMAIN}") == []


def test_a_server_that_fails_to_build_rolls_back_to_error(stack: Stack, whmcs: Whmcs) -> None:
    stack.admin(
        "POST",
        "/faults",
        {"method": "POST", "path": "/hetzner/v1/servers", "kind": "action_error", "times": 1},
    )
    try:
        created = whmcs.create(**order()).json()
        wait_for_status(stack, created["id"], "error")
    finally:
        stack.admin("DELETE", "/faults")
    wait_until(lambda: servers_of(stack, created["id"]) == [], what="the failed server to go")
    assert stack.cloudflare_records(f"{created['subdomain']}.{DOMAIN}") == []


async def _command_offsets(stack: Stack) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap_servers)
    await consumer.start()
    try:
        topic = stack.topic_prefix + PROVISIONING_COMMANDS.name
        partitions = [TopicPartition(topic, p) for p in range(PROVISIONING_COMMANDS.partitions)]
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


@pytest.mark.parametrize(
    ("case", "expected_status", "expected_code"),
    [
        ("bad signature", 401, "UNAUTHORIZED"),
        ("stale timestamp", 401, "UNAUTHORIZED"),
        ("wrong api key", 401, "UNAUTHORIZED"),
        ("unknown plan", 400, "INVALID_PLAN"),
        ("unavailable region", 400, "REGION_UNAVAILABLE"),
        ("malformed json", 400, "VALIDATION_ERROR"),
        ("missing field", 400, "VALIDATION_ERROR"),
        ("bad email", 400, "VALIDATION_ERROR"),
        ("oversized body", 413, "PAYLOAD_TOO_LARGE"),
        ("unknown field", 400, "VALIDATION_ERROR"),
        ("mistyped id", 400, "VALIDATION_ERROR"),
    ],
)
async def test_a_rejected_create_answers_the_contract_error_and_publishes_nothing(
    stack: Stack, case: str, expected_status: int, expected_code: str
) -> None:
    whmcs = Whmcs(stack.gateway_url)
    before = await _command_offsets(stack)
    body = order()
    if case == "bad signature":
        response = whmcs.request("POST", "/api/instances", body, signature="0" * 64)
    elif case == "stale timestamp":
        response = whmcs.request("POST", "/api/instances", body, timestamp=int(time.time()) - 301)
    elif case == "wrong api key":
        response = Whmcs(stack.gateway_url, api_key="nope").create(**body)
    elif case == "unknown plan":
        response = whmcs.create(**{**body, "plan": "gigantic"})
    elif case == "unavailable region":
        response = whmcs.create(**{**body, "region": UNSOLD_REGION})
    elif case == "malformed json":
        response = whmcs.request("POST", "/api/instances", raw=b'{"whmcs_service_id": 1,')
    elif case == "missing field":
        response = whmcs.create(**{k: v for k, v in body.items() if k != "email"})
    elif case == "oversized body":
        response = whmcs.create(**{**body, "hostname": "x" * 70_000})
    elif case == "unknown field":
        response = whmcs.create(**{**body, "coupon": "FREE"})
    elif case == "mistyped id":
        response = whmcs.create(**{**body, "whmcs_service_id": "12"})
    else:
        response = whmcs.create(**{**body, "email": "not-an-email"})
    assert response.status_code == expected_status, response.text
    error = response.json()
    assert error["code"] == expected_code
    assert isinstance(error["error"], str) and error["error"]
    assert await _command_offsets(stack) == before


def test_unknown_instances_are_404_in_the_contract_format(stack: Stack, whmcs: Whmcs) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for method, path in [
        ("GET", f"/api/instances/{missing}"),
        ("POST", f"/api/instances/{missing}/suspend"),
        ("DELETE", f"/api/instances/{missing}"),
    ]:
        response = whmcs.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "NOT_FOUND"


def test_the_ready_callback_refuses_a_wrong_token(stack: Stack, whmcs: Whmcs) -> None:
    import httpx

    instance_id = whmcs.create(**order()).json()["id"]
    admin = Dashboard(stack.gateway_url, token("admin"))
    wait_until(lambda: admin.get(instance_id).status_code == 200, what="the read model")
    response = httpx.post(
        f"{stack.gateway_url}/api/instances/{instance_id}/ready",
        json={"openclaw_version": "1.0", "gateway_port": 18789},
        headers={"Authorization": "Bearer guessed"},
    )
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_health_reports_the_database(stack: Stack) -> None:
    import httpx

    body = httpx.get(f"{stack.gateway_url}/api/health").json()
    assert body["status"] == "ok" and body["db"] == "connected"
    assert body["uptime"] >= 0 and body["version"]


def test_crashed_services_lose_nothing_and_double_nothing(stack: Stack, whmcs: Whmcs) -> None:
    first = [whmcs.create(**order()).json()["id"] for _ in range(6)]
    for service in ("provisioning", "dns", "metrics"):
        stack.processes.kill(service)  # mid-flight: sagas are between steps
    during = [whmcs.create(**order()).json()["id"] for _ in range(3)]  # queued on Kafka meanwhile
    for service in ("metrics", "dns", "provisioning"):
        stack.processes.start(service)

    for instance_id in first + during:
        instance = wait_for_status(stack, instance_id, "active", timeout=60)
        assert len(servers_of(stack, instance_id)) == 1
        assert len(stack.cloudflare_records(f"{instance['subdomain']}.{DOMAIN}")) == 1
