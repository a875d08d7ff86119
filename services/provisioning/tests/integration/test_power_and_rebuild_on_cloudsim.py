"""Power, rebuild and console through the providers' adapters against cloudsim, with the real
`hcloud` and `proxmoxer`: off and on again however often asked, a Hetzner server rebuilt from
another image and running after, an unknown image refused for good (the server keeps its
image), a console with its password; a Proxmox VM is not rebuilt and keeps running."""

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


def test_a_proxmox_vm_is_not_rebuilt_and_keeps_running(cloudsim_url: str) -> None:
    provider = ProxmoxProvider(
        api_url=f"{cloudsim_url}/proxmox",
        token_id="hostplane@pve!provisioning",
        token_secret="s3cret",
        poll_interval_s=0.02,
        boot_timeout_s=10,
    )
    instance_id = _started(provider)
    with pytest.raises(ProviderError) as refused:
        provider.rebuild(instance_id, "debian-12", [KEY])
    assert refused.value.code == "REBUILD_UNSUPPORTED"
    provider.wait_started(instance_id)
