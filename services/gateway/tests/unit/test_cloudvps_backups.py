"""A customer's backups of their VPS: their own VPS's only (another's is 404 and sends
nothing), listed in the contract's shape, restored through provisioning (a backup still being
taken is CONFLICT, a provider's failure PROXMOX_ERROR), a bad request refused in the
contract's error shape before anything is sent."""

from dataclasses import replace
from uuid import UUID, uuid4

from hostplane.contracts.commands import provisioning as pc
from hostplane.gateway.application.cloudvps.backups import BackupRow
from services.gateway.tests.fakes import Api
from services.gateway.tests.unit.test_cloudvps_vps import T0, _customer, _vps


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


def _backup(api: Api, vps_id: str, status: str = "available") -> str:
    row = BackupRow(
        id=uuid4(),
        instance_id=UUID(vps_id),
        name="Pre-update backup",
        description=None,
        kind="manual",
        status=status,
        size_bytes=2_400_000_000,
        requested_at=T0,
        taken_at=T0 if status == "available" else None,
    )
    api.backups.rows[row.id] = row
    return str(row.id)


def test_a_vps_lists_its_backups_in_the_contracts_shape(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    backup_id = _backup(api, vps_id)
    answer = api.cloudvps.get(f"/api/v1/vps/{vps_id}/backups", headers=jo)
    assert answer.json()["data"] == [
        {
            "id": backup_id,
            "name": "Pre-update backup",
            "size": 2.4,
            "size_unit": "GB",
            "type": "manual",
            "status": "completed",
            "created_at": "2026-03-01T12:00:00Z",
        }
    ]


def test_a_restore_goes_to_provisioning_and_answers_the_vps(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    backup_id = _backup(api, vps_id)
    answer = api.cloudvps.post(f"/api/v1/vps/{vps_id}/backups/{backup_id}/restore", headers=jo)
    assert answer.status_code == 200
    assert (answer.json()["data"]["id"], answer.json()["data"]["status"]) == (vps_id, "running")
    (restore,) = api.broker.sent(pc.RestoreBackup)
    assert (str(restore.instance_id), str(restore.backup_id)) == (vps_id, backup_id)


def test_a_vps_being_restored_shows_restoring(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    row = api.vps.rows[UUID(vps_id)]
    api.vps.rows[row.id] = replace(row, pending_operation="restore")  # as metrics projects it
    answer = api.cloudvps.get(f"/api/v1/vps/{vps_id}", headers=jo)
    assert answer.json()["data"]["status"] == "restoring"


def test_another_vps_backup_or_none_is_not_found_and_nothing_is_sent(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id, other_id = _vps(api, jo_customer, "web-1"), _vps(api, jo_customer, "web-2")
    others = _backup(api, other_id)
    for backup_id in (others, str(uuid4())):
        answer = api.cloudvps.post(f"/api/v1/vps/{vps_id}/backups/{backup_id}/restore", headers=jo)
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert not api.broker.sent(pc.RestoreBackup)


def test_a_backup_still_being_taken_is_a_conflict(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    backup_id = _backup(api, vps_id, status="creating")
    api.billing.refusals["RestoreBackup"] = ("CONFLICT", "Backup is creating")
    answer = api.cloudvps.post(f"/api/v1/vps/{vps_id}/backups/{backup_id}/restore", headers=jo)
    assert (answer.status_code, answer.json()["error"]) == (
        409,
        {"code": "CONFLICT", "message": "Backup is creating", "details": {}},
    )


def test_a_restore_the_provider_fails_is_a_proxmox_error(api: Api) -> None:
    jo, jo_customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    backup_id = _backup(api, vps_id)
    api.billing.refusals["RestoreBackup"] = ("RESTORE_FAILED", "the image could not be written")
    answer = api.cloudvps.post(f"/api/v1/vps/{vps_id}/backups/{backup_id}/restore", headers=jo)
    assert (answer.status_code, answer.json()["error"]["code"]) == (502, "PROXMOX_ERROR")
