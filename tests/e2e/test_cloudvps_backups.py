"""CloudVPS Pro's VPS backups end to end: a customer backs their VPS up (a backup image at
Hetzner, labelled with the backup), sees it listed as completed while the admin's webhook
endpoint hears `vps.backup.created`; restores it (the VPS shows `restoring` while its disk is
written back, and runs again after); deletes it (gone at the provider). A backup the provider
fails to take is `failed`, announced as `vps.backup.failed`, and cannot be restored. Another
user can do none of it (404)."""

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.conftest import wait_until
from tests.e2e.test_cloudvps import _account
from tests.e2e.test_cloudvps_vps_actions import _running_vps, _shown
from tests.e2e.test_cloudvps_webhooks import Received, _admin, receiver  # noqa: F401
from tests.stack import Stack

BACKUP_LABEL = "hostplane.io/backup-id"


def _subscribe(stack: Stack, url: str) -> None:
    created = httpx.post(
        f"{stack.cloudvps_url}/api/v1/admin/webhooks",
        json={"url": url, "events": ["vps.backup.*"]},
        headers=_admin(stack),
        timeout=30,
    )
    assert created.status_code == 201, created.text


def _announced(received: Received, event: str, backup_id: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for _, body in received.deliveries:
            payload: dict[str, Any] = json.loads(body)
            if payload["event"] == event and payload["data"].get("backup_id") == backup_id:
                return payload
        return None

    announced: dict[str, Any] = wait_until(found, 60, 0.2, what=f"{event} at the receiver")
    return announced


def _listed(stack: Stack, headers: dict[str, str], vps_id: str) -> dict[str, dict[str, Any]]:
    answer = httpx.get(f"{stack.cloudvps_url}/api/v1/vps/{vps_id}/backups", headers=headers)
    assert answer.status_code == 200, answer.text
    return {b["id"]: b for b in answer.json()["data"]}


def _images(stack: Stack, backup_id: str) -> list[Any]:
    return list(
        stack.hetzner().images.get_all(
            type=["backup"], label_selector=f"{BACKUP_LABEL}={backup_id}"
        )
    )


def _fault(stack: Stack, fault: dict[str, Any]) -> None:
    httpx.post(f"{stack.cloudsim_url}/_admin/faults", json=fault | {"times": 1}).raise_for_status()


def test_a_customer_backs_up_restores_and_deletes(
    stack: Stack,
    receiver: tuple[str, Received],  # noqa: F811
) -> None:
    url, received = receiver
    _subscribe(stack, url)
    jo, jo_customer = _account(stack, "jo")
    sam, _ = _account(stack, "sam")
    vps_id = str(_running_vps(stack, jo, jo_customer)["id"])
    api = f"{stack.cloudvps_url}/api/v1/vps/{vps_id}/backups"

    refused = httpx.post(api, json={"name": "theirs"}, headers=sam, timeout=30)
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "NOT_FOUND")
    created = httpx.post(
        api,
        json={"name": "Pre-update backup", "description": "Backup before system update"},
        headers=jo,
        timeout=60,
    )
    assert created.status_code == 201, created.text
    backup = created.json()["data"]
    assert backup["name"] == "Pre-update backup" and backup["type"] == "manual"
    assert backup["status"] in ("in_progress", "completed")
    backup_id = backup["id"]

    wait_until(
        lambda: _listed(stack, jo, vps_id)[backup_id]["status"] == "completed",
        60,
        0.3,
        what="the backup to complete",
    )
    listed = _listed(stack, jo, vps_id)[backup_id]
    assert listed["size"] > 0 and listed["size_unit"] == "GB"
    announced = _announced(received, "vps.backup.created", backup_id)
    assert (announced["data"]["vps_id"], announced["data"]["name"]) == (
        vps_id,
        "Pre-update backup",
    )
    [image] = _images(stack, backup_id)
    assert image.status == "available"
    assert httpx.get(api, headers=sam).status_code == 404

    restore = f"{api}/{backup_id}/restore"
    assert httpx.post(restore, headers=sam, timeout=30).status_code == 404
    # The provider takes its time writing the disk back, so the restore can be seen running.
    _fault(
        stack,
        {
            "method": "POST",
            "path": "/hetzner/v1/servers/*/actions/rebuild",
            "kind": "latency",
            "latency_s": 3.0,
        },
    )
    with ThreadPoolExecutor(1) as pool:
        restoring = pool.submit(httpx.post, restore, headers=jo, timeout=90)
        wait_until(
            lambda: _shown(stack, jo, vps_id)["status"] == "restoring",
            30,
            0.1,
            what="the VPS restoring",
        )
        restored = restoring.result()
    assert restored.status_code == 200, restored.text
    assert restored.json()["data"]["id"] == vps_id
    wait_until(lambda: _shown(stack, jo, vps_id)["status"] == "running", 60, 0.3, what="running")
    assert stack.servers(vps_id)[0].running

    deleted = httpx.delete(f"{api}/{backup_id}", headers=jo, timeout=60)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["data"] == {"id": backup_id, "deleted": True}
    assert _images(stack, backup_id) == []
    wait_until(
        lambda: backup_id not in _listed(stack, jo, vps_id), 30, 0.3, what="the backup unlisted"
    )
    gone = httpx.post(restore, headers=jo, timeout=30)
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "NOT_FOUND")


def test_a_backup_the_provider_fails_is_announced_and_cannot_be_restored(
    stack: Stack,
    receiver: tuple[str, Received],  # noqa: F811
) -> None:
    url, received = receiver
    _subscribe(stack, url)
    jo, jo_customer = _account(stack, "jo")
    vps_id = str(_running_vps(stack, jo, jo_customer)["id"])
    api = f"{stack.cloudvps_url}/api/v1/vps/{vps_id}/backups"
    _fault(
        stack,
        {
            "method": "POST",
            "path": "/hetzner/v1/servers/*/actions/create_image",
            "kind": "action_error",
        },
    )

    created = httpx.post(api, json={"name": "Nightly"}, headers=jo, timeout=60)
    assert created.status_code == 201, created.text
    backup_id = created.json()["data"]["id"]
    wait_until(
        lambda: _listed(stack, jo, vps_id)[backup_id]["status"] == "failed",
        60,
        0.3,
        what="the backup to fail",
    )
    announced = _announced(received, "vps.backup.failed", backup_id)
    assert announced["data"]["vps_id"] == vps_id
    assert announced["data"]["error_code"] == "BACKUP_FAILED"
    assert _images(stack, backup_id) == []  # nothing of it is left at the provider

    refused = httpx.post(f"{api}/{backup_id}/restore", headers=jo, timeout=60)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "CONFLICT")
    assert _shown(stack, jo, vps_id)["status"] == "running"
