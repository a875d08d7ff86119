"""The admin dashboard: the fleet, filtered and paginated, its users and statistics."""

import random
import uuid
from datetime import datetime

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.test_instance_lifecycle import order, wait_for_status
from tests.e2e.whmcs import Dashboard, Whmcs, token


@pytest.fixture(scope="module")
def fleet(stack: Stack) -> dict:
    """Three active instances of one client, one of them suspended, behind a unique email."""
    whmcs = Whmcs(stack.gateway_url)
    tag = uuid.uuid4().hex[:8]
    client_id = random.randint(1, 10**9)
    ids = []
    for n, plan in enumerate(("starter", "professional", "enterprise")):
        body = order(whmcs_client_id=client_id, plan=plan, email=f"fleet-{tag}-{n}@example.com")
        ids.append(whmcs.create(**body).json()["id"])
    for instance_id in ids:
        wait_for_status(stack, instance_id, "active")
    assert whmcs.request("POST", f"/api/instances/{ids[0]}/suspend").status_code == 200
    return {"ids": ids, "tag": tag, "client_id": client_id}


@pytest.fixture
def admin(stack: Stack) -> Dashboard:
    return Dashboard(stack.gateway_url, token("admin"))


def test_search_by_email_finds_the_instances(admin: Dashboard, fleet: dict) -> None:
    body = admin.request("GET", f"/api/admin/instances?search=fleet-{fleet['tag']}").json()
    assert sorted(i["id"] for i in body["instances"]) == sorted(fleet["ids"])
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 3, "total_pages": 1}
    summary = body["summary"]
    assert summary["total_suspended"] >= 1
    assert summary["total_active"] >= 2
    assert summary["total_revenue_mrr"] >= 39.0 + 79.0  # the two active ones at least


def test_filters_and_pages(admin: Dashboard, fleet: dict) -> None:
    suspended = admin.request(
        "GET", f"/api/admin/instances?search=fleet-{fleet['tag']}&status=suspended"
    ).json()
    assert [i["id"] for i in suspended["instances"]] == [fleet["ids"][0]]
    elsewhere = admin.request(
        "GET", f"/api/admin/instances?search=fleet-{fleet['tag']}&region=us-east"
    ).json()
    assert elsewhere["instances"] == []
    pages = [
        admin.request(
            "GET", f"/api/admin/instances?search=fleet-{fleet['tag']}&limit=2&page={page}"
        ).json()
        for page in (1, 2)
    ]
    assert [len(p["instances"]) for p in pages] == [2, 1]
    assert pages[0]["pagination"]["total_pages"] == 2
    seen = {i["id"] for p in pages for i in p["instances"]}
    assert seen == set(fleet["ids"])


def test_the_whole_fleet_pages_newest_first(admin: Dashboard, fleet: dict) -> None:
    def page(n: int) -> dict:
        return admin.request("GET", f"/api/admin/instances?limit=100&page={n}").json()

    first = page(1)
    total, last = first["pagination"]["total"], first["pagination"]["total_pages"]
    listed = [i for body in [first, *map(page, range(2, last + 1))] for i in body["instances"]]
    assert len(listed) == total == len({i["id"] for i in listed})
    assert set(fleet["ids"]) <= {i["id"] for i in listed}
    created = [datetime.fromisoformat(i["created_at"]) for i in listed]
    assert created == sorted(created, reverse=True)
    past = page(last + 1)
    assert past["instances"] == []
    assert past["pagination"]["total"] == total
    # The fleet's totals are the same whichever way the page was found.
    filtered = admin.request("GET", "/api/admin/instances?status=active&limit=1").json()
    assert first["summary"] == past["summary"] == filtered["summary"]
    assert first["summary"]["total_active"] >= 2


@pytest.mark.parametrize(
    "query", ["limit=101", "limit=0", "page=0", "status=sleeping", "region=mars"]
)
def test_bad_listing_parameters_are_400(admin: Dashboard, query: str) -> None:
    response = admin.request("GET", f"/api/admin/instances?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_users_and_stats(admin: Dashboard, fleet: dict) -> None:
    users = admin.request("GET", "/api/admin/users?limit=100").json()
    mine = [u for u in users["users"] if u["whmcs_client_id"] == fleet["client_id"]]
    assert len(mine) == 1
    assert mine[0]["instances"] == 3
    assert mine[0]["active_instances"] == 2
    stats = admin.request("GET", "/api/admin/stats").json()
    assert stats["instances_total"] >= 3
    assert stats["instances_by_status"]["suspended"] >= 1
    assert stats["instances_by_plan"]["enterprise"] >= 1
    assert stats["users_total"] >= 1
    assert stats["revenue_mrr"] > 0


@pytest.mark.parametrize("path", ["/api/admin/instances", "/api/admin/users", "/api/admin/stats"])
def test_clients_are_refused_with_403(stack: Stack, path: str) -> None:
    client = Dashboard(stack.gateway_url, token("client"))
    response = client.request("GET", path)
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
