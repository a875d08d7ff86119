"""A customer's stop, start, rebuild, metrics and console of their VPS: sent to provisioning
for their own VPS only (another's is 404, and nothing is sent), a state that refuses is
CONFLICT, a provider's failure PROXMOX_ERROR, and the VPS shows its power; a rename goes to
billing, and the list filters by power."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hostplane.contracts.commands import billing as bc
from hostplane.contracts.commands import provisioning as pc
from hostplane.gateway.application.readmodels import UsagePoint, UsageSample
from services.gateway.tests.fakes import Api
from services.gateway.tests.unit.test_cloudvps_vps import _customer, _vps

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl jo@laptop"


def _error(answer: object) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]  # type: ignore[attr-defined]


def test_stop_and_start_go_to_provisioning_and_the_vps_shows_its_power(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    row = api.vps.rows[UUID(vps_id)]
    api.vps.rows[row.id] = replace(row, stopped_at=datetime.now(UTC))  # as metrics projects it
    stopped = api.cloudvps.post(f"/api/v1/vps/{vps_id}/stop", headers=jo)
    assert stopped.status_code == 200 and stopped.json()["data"]["status"] == "stopped"
    api.vps.rows[row.id] = replace(row, pending_operation="start")
    started = api.cloudvps.post(f"/api/v1/vps/{vps_id}/start", headers=jo)
    assert started.json()["data"]["status"] == "starting"
    assert [c.instance_id for c in api.broker.sent(pc.StopInstance)] == [UUID(vps_id)]
    assert [c.instance_id for c in api.broker.sent(pc.StartInstance)] == [UUID(vps_id)]


def test_a_refused_start_is_conflict_and_a_provider_failure_proxmox_error(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1", status="suspended")
    api.billing.refusals["StartInstance"] = ("INVALID_STATE", "Instance is suspended")
    assert _error(api.cloudvps.post(f"/api/v1/vps/{vps_id}/start", headers=jo)) == (
        409,
        "CONFLICT",
    )
    api.billing.refusals["StopInstance"] = ("POWER_OFF_FAILED", "the server did not stop")
    assert _error(api.cloudvps.post(f"/api/v1/vps/{vps_id}/stop", headers=jo)) == (
        502,
        "PROXMOX_ERROR",
    )


def test_a_rebuild_names_the_image_and_keys_and_an_unknown_system_is_refused(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    body = {"operating_system": "debian-12", "ssh_keys": [KEY]}
    assert api.cloudvps.post(f"/api/v1/vps/{vps_id}/rebuild", headers=jo, json=body).is_success
    (rebuild,) = api.broker.sent(pc.RebuildInstance)
    assert (rebuild.image, rebuild.ssh_keys) == ("debian-12", [KEY])
    for bad in (
        {"operating_system": "windows-xp"},
        {"operating_system": "debian-12", "ssh_keys": ["not a key"]},
        {},
    ):
        answer = api.cloudvps.post(f"/api/v1/vps/{vps_id}/rebuild", headers=jo, json=bad)
        assert _error(answer) == (422, "VALIDATION_ERROR")
    assert len(api.broker.sent(pc.RebuildInstance)) == 1


def test_another_users_vps_is_not_found_and_nothing_is_sent(api: Api) -> None:
    _, jo_customer = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    for answer in (
        api.cloudvps.post(f"/api/v1/vps/{vps_id}/stop", headers=sam),
        api.cloudvps.post(f"/api/v1/vps/{vps_id}/start", headers=sam),
        api.cloudvps.post(
            f"/api/v1/vps/{vps_id}/rebuild", headers=sam, json={"operating_system": "debian-12"}
        ),
        api.cloudvps.get(f"/api/v1/vps/{vps_id}/metrics", headers=sam),
        api.cloudvps.get(f"/api/v1/vps/{vps_id}/console", headers=sam),
        api.cloudvps.get("/api/v1/vps/not-an-id/console", headers=sam),
    ):
        assert _error(answer)[1] in ("NOT_FOUND", "VALIDATION_ERROR")
    assert [c for topic, _, c in api.broker.commands if topic.name == "provisioning.commands"] == []


def test_a_stopped_vps_has_no_console(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    row = api.vps.rows[UUID(vps_id)]
    api.vps.rows[row.id] = replace(row, stopped_at=datetime.now(UTC))
    answer = api.cloudvps.get(f"/api/v1/vps/{vps_id}/console", headers=jo)
    assert _error(answer) == (409, "CONFLICT")
    assert not api.broker.sent(pc.OpenConsole)


def test_metrics_show_the_latest_sample_and_the_periods_points(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    now = datetime.now(UTC).replace(microsecond=0)
    api.reads.samples.append(UsageSample(42.5, 2048.0, 1.0, 2.0))
    api.reads.history_points.extend(
        [
            UsagePoint(now - timedelta(minutes=30), 40.0, 1024.0, 0.0, 1.25, 0.5),
            UsagePoint(now - timedelta(days=2), 10.0, 0.0, 0.0, 0.0, 0.0),
        ]
    )
    answer = api.cloudvps.get(f"/api/v1/vps/{vps_id}/metrics?period=hour", headers=jo)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert (data["cpu_usage"], data["ram_usage"]) == (42.5, 50.0)  # of the plan's 4 GB
    assert [p["cpu"] for p in data["metrics_history"]] == [40.0]
    assert data["metrics_history"][0]["network_in"] == 1250.0  # KB/s
    bad = api.cloudvps.get(f"/api/v1/vps/{vps_id}/metrics?period=year", headers=jo)
    assert _error(bad) == (422, "VALIDATION_ERROR")


def test_a_rename_goes_to_billing_and_the_vps_shows_its_new_name(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    answer = api.cloudvps.put(f"/api/v1/vps/{vps_id}", headers=jo, json={"name": " db-primary "})
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["name"] == "db-primary"
    (renamed,) = api.broker.sent(bc.RenameCloudPod)
    assert (renamed.instance_id, renamed.name) == (UUID(vps_id), "db-primary")
    for bad in ({"name": "   "}, {"name": "x" * 101}, {"name": "line\nbreak"}, {}):
        answer = api.cloudvps.put(f"/api/v1/vps/{vps_id}", headers=jo, json=bad)
        assert _error(answer) == (422, "VALIDATION_ERROR")
    sam, _ = _customer(api, "sam@example.com")
    other = api.cloudvps.put(f"/api/v1/vps/{vps_id}", headers=sam, json={"name": "mine now"})
    assert _error(other) == (404, "NOT_FOUND")
    assert len(api.broker.sent(bc.RenameCloudPod)) == 1


def test_the_list_filters_running_and_stopped_by_their_power(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    running, stopped = _vps(api, customer, "web-1"), _vps(api, customer, "web-2")
    row = api.vps.rows[UUID(stopped)]
    api.vps.rows[row.id] = replace(row, stopped_at=datetime.now(UTC))

    def listed(status: str) -> list[str]:
        answer = api.cloudvps.get(f"/api/v1/vps?status={status}", headers=jo)
        return [vps["id"] for vps in answer.json()["data"]]

    assert (listed("running"), listed("stopped"), listed("rebuilding")) == (
        [running],
        [stopped],
        [],
    )
