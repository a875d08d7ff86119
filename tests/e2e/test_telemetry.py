"""Instances report logs and AI usage; the dashboard reads them back, paged and priced."""

import random
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hostplane.contracts.identity import user_id_for
from tests.conftest import wait_until
from tests.e2e.conftest import Stack
from tests.e2e.test_instance_lifecycle import order, wait_for_status
from tests.e2e.whmcs import Dashboard, Whmcs, token


@pytest.fixture(scope="module")
def instance(stack: Stack) -> dict:
    client_id = random.randint(1, 10**9)
    created = Whmcs(stack.gateway_url).create(**order(whmcs_client_id=client_id)).json()
    wait_for_status(stack, created["id"], "active")
    return {
        "id": created["id"],
        "owner": Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(client_id)))),
        "upload": httpx.Client(
            base_url=f"{stack.gateway_url}/api/instances/{created['id']}",
            headers={"Authorization": f"Bearer {stack.instance_token(created['id'])}"},
        ),
    }


def line(minutes_ago: int, level: str, message: str) -> dict:
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {"timestamp": at.isoformat(), "level": level, "message": message, "source": "openclaw"}


def test_logs_are_paged_newest_first_and_filtered(instance: dict) -> None:
    batch = {
        "batch_id": str(uuid.uuid4()),
        "entries": [
            line(50 - n, lvl, f"line {n}")
            for n, lvl in enumerate(["info", "warn", "error", "debug", "info"])
        ],
    }
    for _ in range(2):  # a retried upload is stored once
        response = instance["upload"].post("/logs", json=batch)
        assert response.status_code == 202, response.text
        assert response.json() == {"accepted": 5}
    owner = instance["owner"]
    path = f"/api/instances/{instance['id']}/logs"

    def mine() -> list[dict]:
        body = owner.request("GET", f"{path}?lines=1000").json()
        return [entry for entry in body["logs"] if entry["source"] == "openclaw"]

    wait_until(lambda: len(mine()) == 5, what="the uploaded lines")
    assert [e["message"] for e in mine()] == [f"line {n}" for n in (4, 3, 2, 1, 0)]

    everything = owner.request("GET", f"{path}?lines=1000&level=info").json()
    assert everything["has_more"] is False
    assert everything["next_cursor"] is None
    assert "Instance is active" in [
        e["message"] for e in everything["logs"] if e["source"] == "system"
    ]
    assert "line 3" not in [e["message"] for e in everything["logs"]]  # debug is below info
    paged, cursor = [], None
    while True:
        query = f"{path}?lines=2&level=info" + (f"&cursor={cursor}" if cursor else "")
        page = owner.request("GET", query).json()
        assert len(page["logs"]) <= 2
        paged += page["logs"]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert paged == everything["logs"]
    recent = datetime.now(UTC) - timedelta(minutes=47, seconds=30)
    since = owner.request(
        "GET", f"{path}?lines=1000&since={recent.isoformat().replace('+', '%2B')}"
    )
    assert [e["message"] for e in since.json()["logs"] if e["source"] == "openclaw"] == [
        "line 4",
        "line 3",
    ]
    errors = owner.request("GET", f"{path}?level=error&lines=1000").json()["logs"]
    assert [e["message"] for e in errors if e["source"] == "openclaw"] == ["line 2"]


def test_usage_is_priced_by_model_and_counted_once(instance: dict) -> None:
    now = datetime.now(UTC).isoformat()
    records = [
        {
            "id": "r1",
            "timestamp": now,
            "model": "anthropic/claude-sonnet-4-5",
            "tokens_in": 1_000_000,
            "tokens_out": 100_000,
        },
        {
            "id": "r2",
            "timestamp": now,
            "model": "openai/gpt-4o-mini",
            "tokens_in": 2_000_000,
            "tokens_out": 0,
        },
    ]
    assert instance["upload"].post("/ai-usage", json={"records": records}).status_code == 202
    assert instance["upload"].post("/ai-usage", json={"records": records[:1]}).status_code == 202
    path = f"/api/instances/{instance['id']}/ai-usage?period=today"

    def usage() -> dict | None:
        body = instance["owner"].request("GET", path).json()
        return body if len(body["by_model"]) == 2 else None

    body = wait_until(usage, what="the usage to be stored")
    assert body["period"] == "today"
    assert body["total_tokens_in"] == 3_000_000
    assert body["total_tokens_out"] == 100_000
    assert body["total_cost_usd"] == pytest.approx(3.0 + 1.5 + 0.3)
    sonnet = next(m for m in body["by_model"] if m["model"].startswith("anthropic"))
    assert sonnet == {
        "model": "anthropic/claude-sonnet-4-5",
        "tokens_in": 1_000_000,
        "tokens_out": 100_000,
        "cost_usd": 4.5,
        "request_count": 1,
    }
    assert [d["tokens"] for d in body["daily"]] == [3_100_000]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/logs", {"entries": []}),
        (
            "/logs",
            {
                "entries": [
                    {"timestamp": "x", "level": "info", "message": "m", "source": "openclaw"}
                ]
            },
        ),
        ("/logs", {"entries": [line(0, "fatal", "m")]}),
        (
            "/ai-usage",
            {
                "records": [
                    {
                        "id": "x",
                        "timestamp": "2026-01-01T00:00:00Z",
                        "model": "m",
                        "tokens_in": -1,
                        "tokens_out": 0,
                    }
                ]
            },
        ),
    ],
)
def test_bad_uploads_are_400(instance: dict, path: str, body: dict) -> None:
    response = instance["upload"].post(path, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_uploads_need_the_instances_own_token(stack: Stack, instance: dict) -> None:
    response = httpx.post(
        f"{stack.gateway_url}/api/instances/{instance['id']}/logs",
        json={"entries": [line(0, "info", "m")]},
        headers={"Authorization": "Bearer someone-else"},
    )
    assert response.status_code == 401


def test_reading_needs_the_owner(stack: Stack, instance: dict) -> None:
    stranger = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(3))))
    for what in ("logs", "ai-usage"):
        assert stranger.request("GET", f"/api/instances/{instance['id']}/{what}").status_code == 404
    bad_cursor = instance["owner"].request("GET", f"/api/instances/{instance['id']}/logs?cursor=zz")
    assert bad_cursor.status_code == 400


@pytest.mark.parametrize("period", ["1h", "24h", "7d", "30d"])
def test_metrics_come_from_the_provider_and_are_bucketed(instance: dict, period: str) -> None:
    path = f"/api/instances/{instance['id']}/metrics?period={period}"

    def sampled() -> dict | None:
        body = instance["owner"].request("GET", path).json()
        return (
            body if body["current"]["cpu_percent"] > 0 and body["history"]["timestamps"] else None
        )

    body = wait_until(sampled, timeout=30, what="usage samples")
    assert body["period"] == period
    current = body["current"]
    assert current["ram_total_mb"] == 4096
    assert current["disk_total_gb"] == 40
    history = body["history"]
    lengths = {
        len(history[k]) for k in ("timestamps", "cpu", "ram", "disk", "network_in", "network_out")
    }
    assert len(lengths) == 1
    assert all(0 <= cpu <= 100 for cpu in history["cpu"])


def test_an_unknown_period_is_400(instance: dict) -> None:
    response = instance["owner"].request(
        "GET", f"/api/instances/{instance['id']}/metrics?period=2y"
    )
    assert response.status_code == 400
