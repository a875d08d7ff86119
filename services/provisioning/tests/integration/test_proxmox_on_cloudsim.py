"""The Proxmox adapter end to end against cloudsim's Proxmox VE, through the real proxmoxer."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from hostplane.cloudsim.app import create_app
from hostplane.contracts.catalog import PLANS, Plan, PlanSpec, ProxmoxRegion
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.provider import BootState, CreatedServer, ServerSpec
from hostplane.provisioning.adapters.proxmox import ProxmoxProvider
from tools.cloudsim.tests.conftest import receiver, serve

__all__ = ["receiver"]  # a fixture of cloudsim's tests, used here too

REGION = ProxmoxRegion(nodes=["pve1", "pve2", "pve3"], datacenter="tyo-pve")
STARTER, PROFESSIONAL = PLANS[Plan.STARTER], PLANS[Plan.PROFESSIONAL]


@pytest.fixture(scope="module")
def cloudsim_url() -> Iterator[str]:
    env = {"CLOUDSIM_BOOT_DELAY": "0.1", "CLOUDSIM_ACTION_DELAY": "0.05"}
    yield from serve(create_app(env))


@pytest.fixture(autouse=True)
def reset(cloudsim_url: str) -> None:
    httpx.post(f"{cloudsim_url}/_admin/reset").raise_for_status()


@pytest.fixture
def provider(cloudsim_url: str) -> ProxmoxProvider:
    return ProxmoxProvider(
        api_url=f"{cloudsim_url}/proxmox",
        token_id="hostplane@pve!provisioning",
        token_secret="s3cret",
        poll_interval_s=0.02,
        boot_timeout_s=10,
    )


def spec(instance_id: UUID, user_data: str = "#cloud-config\n") -> ServerSpec:
    return ServerSpec(instance_id, STARTER, REGION, "ubuntu-24.04", user_data, [])


def vms(cloudsim_url: str) -> dict[int, dict[str, Any]]:
    """cloudsim's VMs other than the template, by VMID."""
    listed = httpx.get(f"{cloudsim_url}/_admin/proxmox/vms").json()
    return {vm["vmid"]: vm for vm in listed if vm["config"].get("template") != "1"}


def admin_state(cloudsim_url: str) -> dict[str, Any]:
    state: dict[str, Any] = httpx.get(f"{cloudsim_url}/_admin/state").json()
    return state


@pytest.fixture
def created(provider: ProxmoxProvider) -> tuple[UUID, CreatedServer]:
    instance_id = uuid4()
    return instance_id, provider.ensure_server(spec(instance_id))


def test_a_new_instance_gets_a_running_vm_of_its_plan_on_the_roomiest_node(
    cloudsim_url: str, provider: ProxmoxProvider, created: tuple[UUID, CreatedServer]
) -> None:
    instance_id, server = created
    assert server.facts.provider == "proxmox"
    assert server.facts.server_type == "2c-4096m"
    assert server.facts.datacenter == "tyo-pve"
    assert server.facts.ip_address.startswith("10.20.")
    assert server.boot is not None and server.boot.startswith("UPID:pve2:")
    assert provider.boot_states([server.boot]) == [BootState(server.boot, "success")]
    vm = vms(cloudsim_url)[server.facts.server_id]
    assert (vm["node"], vm["status"]) == ("pve2", "running")
    config = vm["config"]
    assert config["name"] == f"hp-{instance_id}"
    assert config["tags"] == f"hostplane;hp-{instance_id}"
    assert (config["cores"], config["memory"]) == ("2", "4096")
    assert config["scsi0"].endswith(",size=40G")
    assert config["ide2"] == f"local:iso/hp-{instance_id}-cidata.iso,media=cdrom"


def test_the_vm_calls_the_ready_url_of_its_user_data_once_booted(
    provider: ProxmoxProvider, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = receiver
    user_data = f"#cloud-config\nHOSTPLANE_READY_URL={url}/ready\nHOSTPLANE_READY_TOKEN=tok-7\n"
    provider.ensure_server(spec(uuid4(), user_data))
    deadline = time.monotonic() + 5
    while not received:
        assert time.monotonic() < deadline, "no ready callback"
        time.sleep(0.02)
    assert received[0]["auth"] == "Bearer tok-7"


def test_a_running_vm_reports_its_usage_with_memory_in_use(
    provider: ProxmoxProvider, created: tuple[UUID, CreatedServer]
) -> None:
    instance_id, _ = created
    [sample] = provider.usage()
    assert sample.instance_id == instance_id
    assert sample.provider == "proxmox"
    assert sample.ram_used_mb is not None and 0 < sample.ram_used_mb <= 4096
    assert 0 < sample.cpu_percent < 100
    assert sample.net_out_bps > 0 and sample.disk_bps > 0
    assert (sample.traffic_out_gb, sample.traffic_gb) == (0, 0)


def test_a_resize_sets_cores_and_memory_and_only_ever_grows_the_disk(
    cloudsim_url: str, provider: ProxmoxProvider, created: tuple[UUID, CreatedServer]
) -> None:
    instance_id, server = created
    provider.resize(instance_id, PROFESSIONAL, start_after=True)
    vm = vms(cloudsim_url)[server.facts.server_id]
    assert vm["status"] == "running"
    assert (vm["config"]["cores"], vm["config"]["memory"]) == ("4", "8192")
    assert vm["config"]["scsi0"].endswith(",size=80G")
    provider.resize(instance_id, STARTER, start_after=False)
    vm = vms(cloudsim_url)[server.facts.server_id]
    assert vm["status"] == "stopped"
    assert (vm["config"]["cores"], vm["config"]["memory"]) == ("2", "4096")
    assert vm["config"]["scsi0"].endswith(",size=80G")


def test_power_off_on_and_reboot_are_safe_to_repeat(
    cloudsim_url: str, provider: ProxmoxProvider, created: tuple[UUID, CreatedServer]
) -> None:
    instance_id, server = created
    provider.power_off(instance_id)
    provider.power_off(instance_id)
    assert vms(cloudsim_url)[server.facts.server_id]["status"] == "stopped"
    provider.power_on(instance_id)
    provider.power_on(instance_id)
    provider.reboot(instance_id)
    assert vms(cloudsim_url)[server.facts.server_id]["status"] == "running"


def test_the_console_is_the_vm_s_vnc_websocket_on_the_api(
    cloudsim_url: str, provider: ProxmoxProvider, created: tuple[UUID, CreatedServer]
) -> None:
    instance_id, server = created
    access = provider.console(instance_id)
    websocket = cloudsim_url.replace("http://", "ws://") + "/proxmox/api2/json"
    path = f"{websocket}/nodes/pve2/qemu/{server.facts.server_id}/vncwebsocket?port="
    assert access.url.startswith(path)
    assert "vncticket=PVEVNC%3A" in access.url
    assert access.password.startswith("PVEVNC:")


def test_deleting_leaves_neither_vm_nor_seed_and_is_safe_to_repeat(
    cloudsim_url: str, provider: ProxmoxProvider, created: tuple[UUID, CreatedServer]
) -> None:
    instance_id, _ = created
    assert provider.ensure_deleted(instance_id) is True
    assert vms(cloudsim_url) == {}
    assert httpx.get(f"{cloudsim_url}/_admin/proxmox/volumes").json() == []
    assert provider.ensure_deleted(instance_id) is False
    with pytest.raises(ProviderError) as gone:
        provider.power_on(instance_id)
    assert gone.value.code == "SERVER_NOT_FOUND"


def test_a_retried_create_finds_the_vm_of_the_earlier_attempt(
    cloudsim_url: str, provider: ProxmoxProvider, created: tuple[UUID, CreatedServer]
) -> None:
    instance_id, first = created
    again = provider.ensure_server(spec(instance_id))
    assert again == CreatedServer(first.facts, None)
    assert list(vms(cloudsim_url)) == [first.facts.server_id]
    provider.wait_started(instance_id)
    clones = admin_state(cloudsim_url)["route_counts"]
    assert clones["POST /proxmox/api2/json/nodes/pve1/qemu/{id}/clone"] == 1


def test_two_instances_that_drew_the_same_vmid_both_get_a_vm(
    cloudsim_url: str, provider: ProxmoxProvider
) -> None:
    # Both draw a VMID from /cluster/nextid while the other's clone is still on its way.
    fault = {"method": "POST", "path": "/proxmox/*/clone", "kind": "latency", "latency_s": 0.3}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    with ThreadPoolExecutor(2) as pool:
        servers = list(pool.map(provider.ensure_server, [spec(uuid4()), spec(uuid4())]))
    assert sorted(s.facts.server_id for s in servers) == [100, 101]
    clones = admin_state(cloudsim_url)["route_counts"]
    assert clones["POST /proxmox/api2/json/nodes/pve1/qemu/{id}/clone"] == 3  # one refused


def test_transient_failures_are_retried_unseen(
    cloudsim_url: str, provider: ProxmoxProvider
) -> None:
    fault = {"path": "/proxmox/api2/json/cluster/resources", "kind": "status", "times": 2}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    assert provider.ensure_server(spec(uuid4())).boot is not None


def test_a_start_task_that_fails_fails_the_create(
    cloudsim_url: str, provider: ProxmoxProvider
) -> None:
    fault = {"method": "POST", "path": "/proxmox/*/status/start", "kind": "action_error"}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    with pytest.raises(ProviderError) as failed:
        provider.ensure_server(spec(uuid4()))
    assert failed.value.code == "SERVER_CREATE_FAILED"
    assert "qmstart failed" in failed.value.message


def test_a_vm_an_interrupted_attempt_left_stopped_is_set_up_and_started(
    cloudsim_url: str, provider: ProxmoxProvider
) -> None:
    instance_id = uuid4()
    refused = {"method": "POST", "path": "/proxmox/*/status/start", "kind": "status", "status": 403}
    httpx.post(f"{cloudsim_url}/_admin/faults", json={**refused, "times": 1}).raise_for_status()
    with pytest.raises(ProviderError) as interrupted:
        provider.ensure_server(spec(instance_id))
    assert interrupted.value.code == "SERVER_CREATE_FAILED"
    [vmid] = vms(cloudsim_url)
    server = provider.ensure_server(spec(instance_id))
    assert (server.facts.server_id, vms(cloudsim_url)[vmid]["status"]) == (vmid, "running")
    assert server.boot is not None


def test_a_plan_whose_template_is_missing_fails_for_good(provider: ProxmoxProvider) -> None:
    plan = PlanSpec.model_validate({**STARTER.model_dump(), "vm_template": 9999})
    with pytest.raises(ProviderError) as failed:
        provider.ensure_server(ServerSpec(uuid4(), plan, REGION, "ubuntu-24.04", "", []))
    assert failed.value.code == "SERVER_CREATE_FAILED"
