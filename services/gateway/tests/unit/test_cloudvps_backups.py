"""A customer's backups of their VPS: their own VPS's only (another's is 404 and sends
nothing), a bad request refused in the contract's error shape before anything is sent."""

from hostplane.contracts.commands import provisioning as pc
from services.gateway.tests.fakes import Api
from services.gateway.tests.unit.test_cloudvps_vps import _customer, _vps


def test_a_vps_without_backups_lists_none(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    answer = api.cloudvps.get(f"/api/v1/vps/{vps_id}/backups", headers=jo)
    assert answer.status_code == 200
    assert answer.json() == {"success": True, "data": []}


def test_another_users_vps_backups_are_not_found_and_nothing_is_sent(api: Api) -> None:
    _, jo_customer = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    backup = "6f1c2b9e-3d1a-4c55-9a57-0d0f3c1e2a11"
    for answer in (
        api.cloudvps.get(f"/api/v1/vps/{vps_id}/backups", headers=sam),
        api.cloudvps.post(f"/api/v1/vps/{vps_id}/backups", json={"name": "x"}, headers=sam),
        api.cloudvps.delete(f"/api/v1/vps/{vps_id}/backups/{backup}", headers=sam),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "NOT_FOUND"
    assert not api.broker.sent(pc.CreateBackup) and not api.broker.sent(pc.DeleteBackup)


def test_a_backup_without_a_name_is_refused_and_nothing_is_sent(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    answer = api.cloudvps.post(
        f"/api/v1/vps/{vps_id}/backups", json={"description": "no name"}, headers=jo
    )
    assert answer.status_code in (400, 422)
    assert answer.json()["success"] is False
    assert not api.broker.sent(pc.CreateBackup)


def test_deleting_a_backup_that_does_not_exist_is_not_found(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    backup = "6f1c2b9e-3d1a-4c55-9a57-0d0f3c1e2a11"
    answer = api.cloudvps.delete(f"/api/v1/vps/{vps_id}/backups/{backup}", headers=jo)
    assert answer.status_code == 404
    assert not api.broker.sent(pc.DeleteBackup)
