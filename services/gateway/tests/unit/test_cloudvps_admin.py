"""CloudVPS's admin endpoints: admins only; every user and VPS listed with the contract's
filters; a user's suspension through billing (never an admin's, never one's own), one VPS's
with the admin's reason; the platform's figures; the system's health, degraded when a
dependency fails."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel

from hostplane.contracts.billing import Role
from hostplane.contracts.commands import billing as bc
from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import Topic
from hostplane.gateway.application.cloudvps.servers import VpsRow
from services.gateway.tests.admin_fakes import FakeAdminReads, FakeCheck
from services.gateway.tests.fakes import Api
from services.gateway.tests.mpanel_rows import an_operator

PASSWORD = "correct horse battery"
ADMIN = "/api/v1/admin"
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _admin(api: Api) -> tuple[dict[str, str], UUID]:
    box = SecretBox(api.settings.config_secrets_key)
    admin = an_operator(
        api.settings.platform_tenant_id, "admin@example.com", PASSWORD, box, [Role.ADMIN.value]
    )
    api.billing.reads.rows.operators[admin.id] = admin
    login = api.cloudvps.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {login.json()['data']['token']}"}, admin.id


def _user(api: Api, email: str, name: str = "Jo") -> tuple[dict[str, str], UUID]:
    data = api.cloudvps.post(
        "/api/v1/auth/register", json={"name": name, "email": email, "password": PASSWORD}
    ).json()["data"]
    return {"Authorization": f"Bearer {data['token']}"}, UUID(data["user"]["id"])


def _vps(api: Api, user_id: UUID, name: str, status: str = "active", age: int = 0) -> UUID:
    row = VpsRow(
        id=uuid4(),
        tenant_id=api.settings.platform_tenant_id,
        customer_id=api.billing.reads.rows.accounts[user_id].customer_id,
        subscription_id=uuid4(),
        name=name,
        status=status,
        ip_address="203.0.113.7",
        plan="starter",
        region="eu-frankfurt",
        prices=[{"cycle": "monthly", "amount": 1999, "currency": "USD"}],
        pending_operation=None,
        created_at=T0 + timedelta(minutes=age),
        next_billing_date=None,
    )
    api.vps.rows[row.id] = row
    return row.id


def _error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_only_admins_see_the_admin_endpoints(api: Api) -> None:
    jo, jo_id = _user(api, "jo@example.com")
    vps_id = _vps(api, jo_id, "web-1")
    for method, path in [
        ("GET", "/stats"),
        ("GET", "/users"),
        ("GET", "/vps"),
        ("GET", "/system/health"),
        ("POST", f"/users/{jo_id}/suspend"),
        ("POST", f"/vps/{vps_id}/suspend"),
    ]:
        assert _error(api.cloudvps.request(method, ADMIN + path, headers=jo)) == (403, "FORBIDDEN")
        assert _error(api.cloudvps.request(method, ADMIN + path)) == (401, "UNAUTHORIZED")
    assert not api.broker.sent(bc.SetAccountStatus) and not api.broker.sent(bc.SuspendCloudPod)


def test_users_are_listed_filtered_searched_and_paged(api: Api) -> None:
    admin, _ = _admin(api)
    _user(api, "ann@example.com", "Ann")
    _, bob = _user(api, "bob@example.com", "Bob")
    _user(api, "cy@example.com", "Cy")
    api.cloudvps.post(f"{ADMIN}/users/{bob}/suspend", headers=admin)

    listed = api.cloudvps.get(f"{ADMIN}/users?sort=name&order=asc", headers=admin).json()
    assert [u["name"] for u in listed["data"]] == ["Ann", "Bob", "Cy"]
    assert listed["pagination"]["total"] == 3
    suspended = api.cloudvps.get(f"{ADMIN}/users?status=suspended", headers=admin).json()
    assert [(u["email"], u["status"]) for u in suspended["data"]] == [
        ("bob@example.com", "suspended")
    ]
    found = api.cloudvps.get(f"{ADMIN}/users?search=CY", headers=admin).json()
    assert [u["name"] for u in found["data"]] == ["Cy"]
    page = api.cloudvps.get(f"{ADMIN}/users?limit=2&page=2&sort=email&order=asc", headers=admin)
    assert [u["name"] for u in page.json()["data"]] == ["Cy"]
    assert page.json()["pagination"]["has_prev"] is True
    bad = api.cloudvps.get(f"{ADMIN}/users?sort=password", headers=admin)
    assert _error(bad) == (422, "VALIDATION_ERROR")
    unknown = api.cloudvps.get(f"{ADMIN}/users?colour=blue", headers=admin)
    assert _error(unknown) == (422, "VALIDATION_ERROR")


def test_every_vps_is_listed_with_its_owner(api: Api) -> None:
    admin, _ = _admin(api)
    _, jo = _user(api, "jo@example.com")
    _, sam = _user(api, "sam@example.com")
    web = _vps(api, jo, "web", age=0)
    _vps(api, sam, "db", "suspended", age=1)
    _vps(api, sam, "gone", "terminated", age=2)

    listed = api.cloudvps.get(f"{ADMIN}/vps", headers=admin).json()
    assert [(v["name"], v["user_id"], v["status"]) for v in listed["data"]] == [
        ("db", str(sam), "suspended"),
        ("web", str(jo), "running"),
    ]
    mine = api.cloudvps.get(f"{ADMIN}/vps?user_id={jo}", headers=admin).json()
    assert [v["id"] for v in mine["data"]] == [str(web)]
    running = api.cloudvps.get(f"{ADMIN}/vps?status=running", headers=admin).json()
    assert [v["name"] for v in running["data"]] == ["web"]
    nobody = api.cloudvps.get(f"{ADMIN}/vps?user_id=user-123", headers=admin).json()
    assert nobody["data"] == [] and nobody["pagination"]["total"] == 0


def test_suspending_a_user_goes_to_billing_and_answers_their_profile(api: Api) -> None:
    admin, admin_id = _admin(api)
    jo, jo_id = _user(api, "jo@example.com")
    answer = api.cloudvps.post(
        f"{ADMIN}/users/{jo_id}/suspend", json={"reason": "chargeback"}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["status"] == "suspended"
    (sent,) = api.broker.sent(bc.SetAccountStatus)
    assert (sent.account_id, sent.status, sent.reason, sent.actor_id) == (
        jo_id,
        "suspended",
        "chargeback",
        admin_id,
    )
    assert _error(api.cloudvps.get("/api/v1/users/profile", headers=jo)) == (401, "UNAUTHORIZED")
    signing_in = api.cloudvps.post(
        "/api/v1/auth/login", json={"email": "jo@example.com", "password": PASSWORD}
    )
    assert _error(signing_in) == (403, "FORBIDDEN")


def test_admins_themselves_and_strangers_are_not_suspended(api: Api) -> None:
    admin, admin_id = _admin(api)
    assert _error(api.cloudvps.post(f"{ADMIN}/users/{admin_id}/suspend", headers=admin)) == (
        403,
        "FORBIDDEN",
    )
    assert _error(api.cloudvps.post(f"{ADMIN}/users/{uuid4()}/suspend", headers=admin)) == (
        404,
        "NOT_FOUND",
    )
    too_long = api.cloudvps.post(
        f"{ADMIN}/users/{uuid4()}/suspend", json={"reason": "x" * 501}, headers=admin
    )
    assert _error(too_long) == (422, "VALIDATION_ERROR")
    assert not api.broker.sent(bc.SetAccountStatus)


def test_suspending_a_vps_sends_the_admins_reason(api: Api) -> None:
    admin, admin_id = _admin(api)
    _, jo = _user(api, "jo@example.com")
    web, creating = _vps(api, jo, "web"), _vps(api, jo, "new", "provisioning")
    reads: FakeAdminReads = api.admin.reads  # type: ignore[assignment]

    billing = api.broker._react

    def suspended(topic: Topic, command: BaseModel, job_id: UUID) -> None:
        """Billing and provisioning suspend the VPS: the read models show it."""
        if isinstance(command, bc.SuspendCloudPod):
            reads.suspend(command.instance_id)
        if billing is not None:
            billing(topic, command, job_id)

    api.broker._react = suspended

    answer = api.cloudvps.post(
        f"{ADMIN}/vps/{web}/suspend", json={"reason": "abuse report #42"}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["status"] == "suspended"
    (sent,) = api.broker.sent(bc.SuspendCloudPod)
    assert (sent.instance_id, sent.reason, sent.actor_id) == (web, "abuse report #42", admin_id)

    not_running = api.cloudvps.post(f"{ADMIN}/vps/{creating}/suspend", headers=admin)
    assert _error(not_running) == (409, "CONFLICT")
    unknown = api.cloudvps.post(f"{ADMIN}/vps/{uuid4()}/suspend", headers=admin)
    assert _error(unknown) == (404, "NOT_FOUND")
    assert len(api.broker.sent(bc.SuspendCloudPod)) == 1


def test_stats_count_users_vps_and_revenue(api: Api) -> None:
    admin, _ = _admin(api)
    _, jo = _user(api, "jo@example.com")
    _, sam = _user(api, "sam@example.com")
    api.cloudvps.post(f"{ADMIN}/users/{sam}/suspend", headers=admin)
    _vps(api, jo, "a")
    _vps(api, jo, "b", "suspended")
    _vps(api, sam, "c", "provisioning")
    reads: FakeAdminReads = api.admin.reads  # type: ignore[assignment]
    reads.revenue = 3998

    stats = api.cloudvps.get(f"{ADMIN}/stats", headers=admin).json()["data"]
    assert stats == {
        "total_users": 2,
        "active_users": 1,
        "total_vps": 3,
        "vps_by_status": {"running": 1, "suspended": 1, "creating": 1},
        "open_tickets": 0,
        "monthly_revenue": 39.98,
        "currency": "USD",
    }


def test_system_health_asks_every_dependency_and_degrades_when_one_fails(api: Api) -> None:
    admin, _ = _admin(api)
    _user(api, "jo@example.com")
    healthy = api.cloudvps.get(f"{ADMIN}/system/health", headers=admin).json()["data"]
    assert healthy["status"] == "healthy"
    assert set(healthy["checks"]) == {"database", "kafka", "hetzner", "stripe"}
    assert all(c["status"] == "up" for c in healthy["checks"].values())
    assert healthy["services"] == {
        "database": "online",
        "proxmox": "online",
        "stripe": "online",
        "email": "offline",
    }
    assert healthy["metrics"]["total_users"] == 1
    assert healthy["metrics"]["memory_usage"] == 40.0

    hetzner: FakeCheck = api.admin.providers["hetzner"]  # type: ignore[assignment]
    hetzner.failing = "answered HTTP 503"
    degraded = api.cloudvps.get(f"{ADMIN}/system/health", headers=admin).json()["data"]
    assert degraded["status"] == "degraded"
    assert degraded["checks"]["hetzner"]["status"] == "down"
    assert degraded["checks"]["hetzner"]["error"] == "answered HTTP 503"
    assert degraded["services"]["proxmox"] == "offline"
