"""A customer's VPS: their own only (another's is 404), listed with the contract's filters,
sort, order and pagination, shown in the contract's shape; a restart goes to provisioning and
a delete cancels the VPS's subscription at once."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from hostplane.contracts.commands import billing as bc
from hostplane.contracts.commands import provisioning as pc
from hostplane.gateway.application.cloudvps.servers import VpsRow
from services.gateway.tests.fakes import Api

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _customer(api: Api, email: str) -> tuple[dict[str, str], UUID]:
    data = api.cloudvps.post(
        "/api/v1/auth/register", json={"name": "Jo", "email": email, "password": PASSWORD}
    ).json()["data"]
    account = api.billing.reads.rows.accounts[UUID(data["user"]["id"])]
    return {"Authorization": f"Bearer {data['token']}"}, account.customer_id


def _vps(api: Api, customer_id: UUID, name: str, status: str = "active", age: int = 0) -> str:
    row = VpsRow(
        id=uuid4(),
        tenant_id=api.settings.platform_tenant_id,
        customer_id=customer_id,
        subscription_id=uuid4(),
        name=name,
        status=status,
        ip_address="203.0.113.7" if status == "active" else None,
        plan="starter",
        region="eu-frankfurt",
        prices=[{"cycle": "monthly", "amount": 1999, "currency": "USD"}],
        pending_operation=None,
        created_at=T0 + timedelta(minutes=age),
        next_billing_date=T0 + timedelta(days=31),
    )
    api.vps.rows[row.id] = row
    return str(row.id)


def test_a_customer_sees_their_vps_in_the_contracts_shape(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    answer = api.cloudvps.get(f"/api/v1/vps/{vps_id}", headers=jo)
    assert answer.status_code == 200
    assert answer.json()["data"] == {
        "id": vps_id,
        "name": "web-1",
        "status": "running",
        "ip_address": "203.0.113.7",
        "operating_system": "Ubuntu 24.04 LTS",
        "specifications": {"cpu": 2, "ram": 4, "storage": 40, "bandwidth": 20000},
        "pricing": {"monthly_price": 19.99, "currency": "USD"},
        "created_at": "2026-03-01T12:00:00Z",
        "next_billing_date": "2026-04-01T12:00:00Z",
    }


def test_another_users_vps_is_not_found(api: Api) -> None:
    _, jo_customer = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    for answer in (
        api.cloudvps.get(f"/api/v1/vps/{vps_id}", headers=sam),
        api.cloudvps.post(f"/api/v1/vps/{vps_id}/restart", headers=sam),
        api.cloudvps.delete(f"/api/v1/vps/{vps_id}", headers=sam),
    ):
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert api.cloudvps.get("/api/v1/vps", headers=sam).json()["data"] == []
    assert not api.broker.sent(pc.RebootInstance) and not api.broker.sent(bc.CancelSubscription)


def _names(answer: Any) -> list[str]:
    return [v["name"] for v in answer.json()["data"]]


def test_the_list_filters_sorts_orders_and_pages(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    for age, (name, status) in enumerate(
        [("b", "active"), ("a", "suspended"), ("c", "active"), ("gone", "terminated")]
    ):
        _vps(api, customer, name, status, age)

    newest_first = api.cloudvps.get("/api/v1/vps", headers=jo)
    assert _names(newest_first) == ["c", "a", "b"]
    assert newest_first.json()["pagination"] == {
        "page": 1,
        "limit": 20,
        "total": 3,
        "has_next": False,
        "has_prev": False,
    }
    by_name = api.cloudvps.get("/api/v1/vps?sort=name&order=asc", headers=jo)
    assert _names(by_name) == ["a", "b", "c"]
    running = api.cloudvps.get("/api/v1/vps?status=running&order=asc", headers=jo)
    assert _names(running) == ["b", "c"]
    page_two = api.cloudvps.get("/api/v1/vps?limit=2&page=2&sort=name&order=asc", headers=jo)
    assert _names(page_two) == ["c"]
    assert page_two.json()["pagination"]["has_prev"] is True
    bad = api.cloudvps.get("/api/v1/vps?sort=price", headers=jo)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "VALIDATION_ERROR")


def test_restart_reboots_and_delete_cancels_the_subscription_now(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    assert api.cloudvps.post(f"/api/v1/vps/{vps_id}/restart", headers=jo).status_code == 200
    assert [c.instance_id for c in api.broker.sent(pc.RebootInstance)] == [UUID(vps_id)]

    deleted = api.cloudvps.delete(f"/api/v1/vps/{vps_id}?force=true", headers=jo)
    assert deleted.json()["data"] == {"id": vps_id, "deleted": True}
    (cancel,) = api.broker.sent(bc.CancelSubscription)
    assert cancel.at_period_end is False
    assert cancel.subscription_id == api.vps.rows[UUID(vps_id)].subscription_id


def test_signing_in_is_needed(api: Api) -> None:
    answer = api.cloudvps.get("/api/v1/vps")
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "UNAUTHORIZED")
