"""The Proxmox VE simulator, as the real `proxmoxer` client sees it."""

import io
import time
from typing import Any

import httpx
import pytest
from proxmoxer import ProxmoxResource, ResourceException

TEMPLATE = 9000
# The cluster's template VMs, one per operating system, all on the first node.
TEMPLATES = {9000: "ubuntu-24.04", 9001: "ubuntu-22.04", 9002: "debian-12", 9003: "debian-11"}
TEMPLATES |= {9004: "rocky-9"}


class Upload(io.BytesIO):
    """A file to upload: proxmoxer names the part after `name`."""

    def __init__(self, content: bytes, name: str) -> None:
        super().__init__(content)
        self.name = name


def wait_task(proxmox: ProxmoxResource, upid: str) -> dict[str, Any]:
    node = upid.split(":")[1]
    deadline = time.monotonic() + 5
    while (status := proxmox.nodes(node).tasks(upid).status.get())["status"] != "stopped":
        assert time.monotonic() < deadline, f"task {upid} still running"
        time.sleep(0.02)
    return dict(status)


def clone(proxmox: ProxmoxResource, name: str = "web-1", node: str = "pve2") -> int:
    vmid = int(proxmox.cluster.nextid.get())
    upid = (
        proxmox.nodes("pve1")
        .qemu(TEMPLATE)
        .clone.post(newid=vmid, name=name, target=node, full=1, storage="local-lvm")
    )
    assert wait_task(proxmox, upid)["exitstatus"] == "OK"
    return vmid


def start(proxmox: ProxmoxResource, vmid: int, node: str = "pve2") -> dict[str, Any]:
    return wait_task(proxmox, proxmox.nodes(node).qemu(vmid).status.start.post())


def address(proxmox: ProxmoxResource, vmid: int, node: str = "pve2") -> str:
    deadline = time.monotonic() + 5
    while True:
        try:
            interfaces = proxmox.nodes(node).qemu(vmid).agent("network-get-interfaces").get()
        except ResourceException:
            assert time.monotonic() < deadline, "the guest agent never answered"
            time.sleep(0.02)
            continue
        return str(interfaces["result"][1]["ip-addresses"][0]["ip-address"])


def test_a_clone_of_the_template_boots_and_its_agent_reports_an_address(
    proxmox: ProxmoxResource,
) -> None:
    listed = proxmox.cluster.resources.get(type="vm")
    assert {(vm["vmid"], vm["node"], vm["template"]) for vm in listed} == {
        (vmid, "pve1", 1) for vmid in TEMPLATES
    }
    vmid = clone(proxmox)
    config = proxmox.nodes("pve2").qemu(vmid).config.get()
    assert config["name"] == "web-1"
    assert config["scsi0"] == f"local-lvm:vm-{vmid}-disk-0,size=3584M"
    assert "template" not in config
    with pytest.raises(ResourceException) as stopped:
        proxmox.nodes("pve2").qemu(vmid).agent("network-get-interfaces").get()
    assert stopped.value.status_code == 500
    assert start(proxmox, vmid)["exitstatus"] == "OK"
    assert proxmox.nodes("pve2").qemu(vmid).status.current.get()["status"] == "running"
    assert address(proxmox, vmid).startswith("10.20.")


def test_a_clone_to_a_vmid_that_exists_is_refused_as_proxmox_words_it(
    cloudsim_url: str, proxmox: ProxmoxResource
) -> None:
    vmid = clone(proxmox)
    answer = httpx.post(
        f"{cloudsim_url}/proxmox/api2/json/nodes/pve1/qemu/{TEMPLATE}/clone",
        data={"newid": vmid, "name": "twin"},
        headers={"Authorization": "PVEAPIToken=hostplane@pve!tests=s3cret"},
    )
    assert answer.status_code == 500
    assert answer.json() == {"data": None, "message": f"VM {vmid} already exists on node 'pve2'\n"}
    assert int(proxmox.cluster.nextid.get()) == vmid + 1


def test_a_request_without_a_well_formed_api_token_is_refused(cloudsim_url: str) -> None:
    url = f"{cloudsim_url}/proxmox/api2/json/nodes"
    for authorization in ("", "Bearer t", "PVEAPIToken=hostplane@pve=s3cret"):
        answer = httpx.get(url, headers={"Authorization": authorization})
        assert answer.status_code == 401
        assert answer.json()["data"] is None


def test_parameters_of_the_wrong_type_are_refused_one_by_one(proxmox: ProxmoxResource) -> None:
    vmid = clone(proxmox)
    with pytest.raises(ResourceException) as refused:
        proxmox.nodes("pve2").qemu(vmid).config.put(cores="many", memory=4096)
    assert refused.value.status_code == 400
    assert refused.value.errors == {"cores": "type check ('integer') failed - got 'many'"}


def test_nodes_report_their_memory_and_a_running_vm_takes_some(proxmox: ProxmoxResource) -> None:
    def free() -> dict[str, int]:
        return {n["node"]: n["maxmem"] - n["mem"] for n in proxmox.nodes.get()}

    before = free()
    assert max(before, key=lambda node: before[node]) == "pve2"
    vmid = clone(proxmox)
    proxmox.nodes("pve2").qemu(vmid).config.put(memory=8192)
    start(proxmox, vmid)
    assert before["pve2"] - free()["pve2"] == 8192 * 2**20


def test_a_disk_grows_but_never_shrinks(proxmox: ProxmoxResource) -> None:
    vm = proxmox.nodes("pve2").qemu(clone(proxmox))
    wait_task(proxmox, vm.resize.put(disk="scsi0", size="40G"))
    assert vm.config.get()["scsi0"].endswith(",size=40G")
    with pytest.raises(ResourceException) as refused:
        vm.resize.put(disk="scsi0", size="20G")
    assert refused.value.status_code == 500


def test_a_stopped_vm_is_destroyed_and_gone(proxmox: ProxmoxResource) -> None:
    vmid = clone(proxmox)
    vm = proxmox.nodes("pve2").qemu(vmid)
    start(proxmox, vmid)
    with pytest.raises(ResourceException):
        vm.delete(purge=1)  # running
    assert (
        wait_task(proxmox, vm.status.shutdown.post(timeout=60, forceStop=1))["exitstatus"] == "OK"
    )
    wait_task(proxmox, vm.delete(purge=1, **{"destroy-unreferenced-disks": 1}))
    assert {r["vmid"] for r in proxmox.cluster.resources.get(type="vm")} == set(TEMPLATES)


def test_a_booted_vm_calls_the_ready_url_of_the_seed_in_its_cd_drive(
    proxmox: ProxmoxResource, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = receiver
    user_data = f"#cloud-config\nHOSTPLANE_READY_URL={url}/ready\nHOSTPLANE_READY_TOKEN=tok-1\n"
    storage = proxmox.nodes("pve2").storage("local")
    wait_task(
        proxmox, storage.upload.post(content="iso", filename=Upload(user_data.encode(), "seed.iso"))
    )
    assert [item["volid"] for item in storage.content.get(content="iso")] == ["local:iso/seed.iso"]
    vmid = clone(proxmox)
    proxmox.nodes("pve2").qemu(vmid).config.put(ide2="local:iso/seed.iso,media=cdrom")
    start(proxmox, vmid)
    deadline = time.monotonic() + 5
    while not received:
        assert time.monotonic() < deadline, "no ready callback"
        time.sleep(0.02)
    assert received == [
        {"auth": "Bearer tok-1", "body": {"openclaw_version": "2026.11.0", "gateway_port": 18789}}
    ]


def test_snippets_cannot_be_uploaded_as_in_proxmox(proxmox: ProxmoxResource) -> None:
    storage = proxmox.nodes("pve2").storage("local")
    with pytest.raises(ResourceException) as refused:
        storage.upload.post(content="snippets", filename=Upload(b"#cloud-config\n", "user.yaml"))
    assert refused.value.status_code == 400
    assert set(refused.value.errors) == {"content"}


def test_the_rrd_series_of_a_running_vm_has_memory_and_an_empty_current_minute(
    proxmox: ProxmoxResource,
) -> None:
    vmid = clone(proxmox)
    start(proxmox, vmid)
    rows = proxmox.nodes("pve2").qemu(vmid).rrddata.get(timeframe="hour", cf="AVERAGE")
    assert len(rows) == 70
    assert set(rows[-1]) == {"time"}
    assert 0 < rows[-2]["mem"] <= rows[-2]["maxmem"] == 2048 * 2**20
    assert 0 < rows[-2]["cpu"] < 1


def test_a_vnc_proxy_hands_out_a_port_and_ticket(proxmox: ProxmoxResource) -> None:
    vmid = clone(proxmox)
    start(proxmox, vmid)
    proxy = proxmox.nodes("pve2").qemu(vmid).vncproxy.post(websocket=1)
    assert proxy["ticket"].startswith("PVEVNC:")
    assert int(proxy["port"]) >= 5900
    assert proxy["user"] == "hostplane@pve!tests"


def test_an_action_error_fault_fails_the_task_and_the_vm_stays_stopped(
    cloudsim_url: str, proxmox: ProxmoxResource
) -> None:
    vmid = clone(proxmox)
    fault = {"method": "POST", "path": "/proxmox/*/status/start", "kind": "action_error"}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    assert start(proxmox, vmid)["exitstatus"] == "qmstart failed: injected failure"
    assert proxmox.nodes("pve2").qemu(vmid).status.current.get()["status"] == "stopped"


def test_an_injected_5xx_answers_in_proxmox_error_shape(cloudsim_url: str) -> None:
    fault = {"path": "/proxmox/api2/json/nodes", "kind": "status", "status": 503, "times": 1}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    answer = httpx.get(
        f"{cloudsim_url}/proxmox/api2/json/nodes",
        headers={"Authorization": "PVEAPIToken=hostplane@pve!tests=s3cret"},
    )
    assert answer.status_code == 503
    assert answer.json() == {"data": None, "message": "injected 503\n"}


def test_admin_lists_the_vms_and_a_reset_leaves_only_the_templates(
    cloudsim_url: str, proxmox: ProxmoxResource
) -> None:
    vmid = clone(proxmox)
    listed = httpx.get(f"{cloudsim_url}/_admin/proxmox/vms").json()
    assert {(vm["vmid"], vm["node"]) for vm in listed} == {
        *((template, "pve1") for template in TEMPLATES),
        (vmid, "pve2"),
    }
    httpx.post(f"{cloudsim_url}/_admin/reset").raise_for_status()
    assert {r["vmid"] for r in proxmox.cluster.resources.get(type="vm")} == set(TEMPLATES)


def osinfo(proxmox: ProxmoxResource, vmid: int, node: str = "pve2") -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while True:
        try:
            return dict(proxmox.nodes(node).qemu(vmid).agent("get-osinfo").get()["result"])
        except ResourceException:
            assert time.monotonic() < deadline, "the guest agent never answered"
            time.sleep(0.02)


def test_a_stopped_vms_disk_is_imported_anew_from_another_template(
    proxmox: ProxmoxResource,
) -> None:
    vmid = clone(proxmox)
    vm = proxmox.nodes("pve2").qemu(vmid)
    start(proxmox, vmid)
    assert osinfo(proxmox, vmid)["version-id"] == "24.04"
    with pytest.raises(ResourceException) as running:
        vm.config.post(scsi0="local-lvm:0,import-from=local-lvm:base-9002-disk-0")
    assert running.value.status_code == 500
    wait_task(proxmox, vm.status.stop.post())

    upid = vm.config.post(scsi0="local-lvm:0,import-from=local-lvm:base-9002-disk-0")
    assert wait_task(proxmox, upid)["exitstatus"] == "OK"
    config = vm.config.get()
    assert config["scsi0"] == f"local-lvm:vm-{vmid}-disk-1,size=2G"
    assert config["unused0"] == f"local-lvm:vm-{vmid}-disk-0"
    old = proxmox.nodes("pve2").storage("local-lvm").content(f"local-lvm:vm-{vmid}-disk-0").get()
    assert old["size"] == 3584 * 2**20
    vm.config.put(delete="unused0")
    assert not any(key.startswith("unused") for key in vm.config.get())
    start(proxmox, vmid)
    assert (osinfo(proxmox, vmid)["id"], osinfo(proxmox, vmid)["version-id"]) == ("debian", "12")


def test_an_import_from_a_volume_that_does_not_exist_is_refused(proxmox: ProxmoxResource) -> None:
    vmid = clone(proxmox)
    vm = proxmox.nodes("pve2").qemu(vmid)
    with pytest.raises(ResourceException) as refused:
        vm.config.post(scsi0="local-lvm:0,import-from=local-lvm:base-9999-disk-0")
    assert refused.value.status_code == 500
    assert vm.config.get()["scsi0"].startswith(f"local-lvm:vm-{vmid}-disk-0,")
