"""Power, rebuild and console through the providers' adapters against cloudsim, with the real
`hcloud` and `proxmoxer`: off and on again however often asked, a Hetzner server rebuilt from
another image and running after, an unknown image refused for good (the server keeps its
image), a console with its password; a Proxmox VM rebuilt from another template (its disk imported
anew at the same size, the keys in a new seed), once however often the rebuild is repeated,
and left running as it was when the image is unknown."""

import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from hostplane.cloudsim.app import create_app
from hostplane.contracts.catalog import PLANS, HetznerRegion, Plan, ProxmoxRegion
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.hetzner import HetznerProvider
from hostplane.provisioning.adapters.provider import ServerProvider, ServerSpec
from hostplane.provisioning.adapters.proxmox import ProxmoxProvider
from tools.cloudsim.tests.conftest import serve

STARTER = PLANS[Plan.STARTER]
REGIONS = {
    "hetzner": HetznerRegion(location="fsn1", datacenter="fsn1-dc14"),
    "proxmox": ProxmoxRegion(nodes=["pve1", "pve2", "pve3"], datacenter="tyo-pve"),
}
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl jo@laptop"


@pytest.fixture(scope="module")
def cloudsim_url() -> Iterator[str]:
    env = {"CLOUDSIM_BOOT_DELAY": "0.05", "CLOUDSIM_ACTION_DELAY": "0.05"}
    yield from serve(create_app(env))


@pytest.fixture(autouse=True)
def reset(cloudsim_url: str) -> None:
    httpx.post(f"{cloudsim_url}/_admin/reset").raise_for_status()


def _hetzner(cloudsim_url: str) -> HetznerProvider:
    return HetznerProvider(token="t", endpoint=f"{cloudsim_url}/hetzner/v1", poll_interval_s=0.02)


@pytest.fixture(params=["hetzner", "proxmox"])
def provider(request: pytest.FixtureRequest, cloudsim_url: str) -> ServerProvider:
    if request.param == "hetzner":
        return _hetzner(cloudsim_url)
    return ProxmoxProvider(
        api_url=f"{cloudsim_url}/proxmox",
        token_id="hostplane@pve!provisioning",
        token_secret="s3cret",
        poll_interval_s=0.02,
        boot_timeout_s=10,
    )


def _started(provider: ServerProvider) -> UUID:
    instance_id = uuid4()
    spec = ServerSpec(
        instance_id, STARTER, REGIONS[provider.name], "ubuntu-24.04", "#cloud-config\n", []
    )
    provider.ensure_server(spec)
    provider.wait_started(instance_id)
    return instance_id


def _hetzner_server(cloudsim_url: str, instance_id: UUID) -> dict[str, Any]:
    listed = httpx.get(
        f"{cloudsim_url}/hetzner/v1/servers",
        params={"label_selector": f"hostplane.io/instance-id={instance_id}"},
        headers={"Authorization": "Bearer t"},
    ).json()["servers"]
    (server,) = listed
    found: dict[str, Any] = server
    return found


def test_a_server_is_powered_off_and_on_however_often_asked(provider: ServerProvider) -> None:
    instance_id = _started(provider)
    for _ in range(2):
        provider.power_off(instance_id)
    for _ in range(2):
        provider.power_on(instance_id)
    provider.wait_started(instance_id)


def test_a_running_server_has_a_console_with_a_password(provider: ServerProvider) -> None:
    access = provider.console(_started(provider))
    assert access.url.startswith(("wss://", "ws://")) and access.password


def test_a_hetzner_server_is_rebuilt_from_another_image_with_the_keys(cloudsim_url: str) -> None:
    provider = _hetzner(cloudsim_url)
    instance_id = _started(provider)
    provider.power_off(instance_id)
    provider.rebuild(instance_id, "debian-12", [KEY])
    server = _hetzner_server(cloudsim_url, instance_id)
    assert (server["image"]["name"], server["status"]) == ("debian-12", "running")
    with pytest.raises(ProviderError) as refused:
        provider.rebuild(instance_id, "windows-xp", [])
    assert refused.value.code == "REBUILD_FAILED"
    assert _hetzner_server(cloudsim_url, instance_id)["image"]["name"] == "debian-12"


def _proxmox(cloudsim_url: str) -> ProxmoxProvider:
    return ProxmoxProvider(
        api_url=f"{cloudsim_url}/proxmox",
        token_id="hostplane@pve!provisioning",
        token_secret="s3cret",
        poll_interval_s=0.02,
        boot_timeout_s=10,
    )


def _proxmox_vm(cloudsim_url: str, instance_id: UUID) -> dict[str, Any]:
    listed = httpx.get(f"{cloudsim_url}/_admin/proxmox/vms").json()
    (vm,) = [vm for vm in listed if vm["config"].get("name") == f"hp-{instance_id}"]
    found: dict[str, Any] = vm
    return found


def _disks(vm: dict[str, Any]) -> list[str]:
    return sorted(key for key in vm["config"] if re.fullmatch(r"(scsi|unused)\d+", key))


def _osinfo(cloudsim_url: str, vm: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.get(
        f"{cloudsim_url}/proxmox/api2/json/nodes/{vm['node']}/qemu/{vm['vmid']}/agent/get-osinfo",
        headers={"Authorization": "PVEAPIToken=hostplane@pve!provisioning=s3cret"},
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()["data"]["result"]
    return result


def _seed(cloudsim_url: str, instance_id: UUID) -> str:
    volumes = httpx.get(f"{cloudsim_url}/_admin/proxmox/volumes").json()
    (seed,) = [v["volid"] for v in volumes if v["volid"].endswith(f"hp-{instance_id}-cidata.iso")]
    return str(seed)


def test_a_proxmox_vm_is_rebuilt_from_another_template_with_its_disk_size_and_the_keys(
    cloudsim_url: str,
) -> None:
    provider = _proxmox(cloudsim_url)
    instance_id = _started(provider)
    before = _proxmox_vm(cloudsim_url, instance_id)
    provider.rebuild(instance_id, "debian-12", [KEY])
    provider.wait_started(instance_id)
    vm = _proxmox_vm(cloudsim_url, instance_id)
    assert (vm["vmid"], vm["status"]) == (before["vmid"], "running")
    assert _disks(vm) == ["scsi0"]
    assert vm["config"]["scsi0"] != before["config"]["scsi0"]
    assert vm["config"]["scsi0"].endswith(f"size={STARTER.disk_gb}G")
    assert vm["config"]["ide2"] == f"{_seed(cloudsim_url, instance_id)},media=cdrom"
    osinfo = _osinfo(cloudsim_url, vm)
    assert (osinfo["id"], osinfo["version-id"]) == ("debian", "12")


def test_a_proxmox_rebuild_repeated_after_a_failed_step_leaves_one_disk_of_the_same_size(
    cloudsim_url: str,
) -> None:
    provider = _proxmox(cloudsim_url)
    instance_id = _started(provider)
    fault = {"method": "PUT", "path": "/proxmox/*/resize", "kind": "action_error"}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    with pytest.raises(ProviderError):
        provider.rebuild(instance_id, "rocky-9", [KEY])
    assert "unused0" in _proxmox_vm(cloudsim_url, instance_id)["config"]  # the old disk
    httpx.delete(f"{cloudsim_url}/_admin/faults").raise_for_status()
    provider.rebuild(instance_id, "rocky-9", [KEY])
    provider.rebuild(instance_id, "rocky-9", [KEY])
    vm = _proxmox_vm(cloudsim_url, instance_id)
    assert (vm["status"], _disks(vm)) == ("running", ["scsi0"])
    assert vm["config"]["scsi0"].endswith(f"size={STARTER.disk_gb}G")
    provider.wait_started(instance_id)
    assert _osinfo(cloudsim_url, vm)["id"] == "rocky"


def test_a_proxmox_vm_asked_for_an_unknown_image_is_left_running_as_it_was(
    cloudsim_url: str,
) -> None:
    provider = _proxmox(cloudsim_url)
    instance_id = _started(provider)
    before = _proxmox_vm(cloudsim_url, instance_id)
    with pytest.raises(ProviderError) as refused:
        provider.rebuild(instance_id, "windows-xp", [KEY])
    assert refused.value.code == "REBUILD_FAILED"
    after = _proxmox_vm(cloudsim_url, instance_id)
    assert (after["status"], after["config"]) == ("running", before["config"])
