"""Backups through both providers' adapters against cloudsim, with the real `hcloud` and
`proxmoxer`: taken once whatever the retries, listed, restored (the server stopped for it and
running after), deleted, and gone with their instance."""

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


@pytest.fixture(scope="module")
def cloudsim_url() -> Iterator[str]:
    env = {"CLOUDSIM_BOOT_DELAY": "0.05", "CLOUDSIM_ACTION_DELAY": "0.05"}
    yield from serve(create_app(env))


@pytest.fixture(autouse=True)
def reset(cloudsim_url: str) -> None:
    httpx.post(f"{cloudsim_url}/_admin/reset").raise_for_status()


@pytest.fixture(params=["hetzner", "proxmox"])
def provider(request: pytest.FixtureRequest, cloudsim_url: str) -> ServerProvider:
    if request.param == "hetzner":
        return HetznerProvider(
            token="t", endpoint=f"{cloudsim_url}/hetzner/v1", poll_interval_s=0.02
        )
    return ProxmoxProvider(
        api_url=f"{cloudsim_url}/proxmox",
        token_id="hostplane@pve!provisioning",
        token_secret="s3cret",
        poll_interval_s=0.02,
        boot_timeout_s=10,
    )


@pytest.fixture
def instance_id(provider: ServerProvider) -> UUID:
    instance_id = uuid4()
    spec = ServerSpec(
        instance_id, STARTER, REGIONS[provider.name], "ubuntu-24.04", "#cloud-config\n", []
    )
    provider.ensure_server(spec)
    provider.wait_started(instance_id)
    return instance_id


def add_fault(cloudsim_url: str, **fault: Any) -> None:
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()


def test_a_backup_is_taken_once_and_listed_with_its_size(
    provider: ServerProvider, instance_id: UUID
) -> None:
    backup_id = uuid4()
    copy = provider.ensure_backup(instance_id, backup_id, "Pre-update backup")
    again = provider.ensure_backup(instance_id, backup_id, "Pre-update backup")
    assert again == copy
    assert copy.backup_id == backup_id and copy.size_bytes > 0
    assert provider.backups(instance_id) == [copy]


def test_two_backups_of_one_instance_are_both_kept(
    provider: ServerProvider, instance_id: UUID
) -> None:
    first = provider.ensure_backup(instance_id, uuid4(), "first")
    second = provider.ensure_backup(instance_id, uuid4(), "second")
    assert {b.backup_id for b in provider.backups(instance_id)} == {
        first.backup_id,
        second.backup_id,
    }
    assert provider.backups(uuid4()) == []


def test_a_deleted_backup_is_gone_and_deleting_it_again_is_fine(
    provider: ServerProvider, instance_id: UUID
) -> None:
    backup_id = uuid4()
    provider.ensure_backup(instance_id, backup_id, "doomed")
    assert provider.delete_backup(instance_id, backup_id) is True
    assert provider.backups(instance_id) == []
    assert provider.delete_backup(instance_id, backup_id) is False


def test_a_restore_leaves_the_server_running(
    cloudsim_url: str, provider: ServerProvider, instance_id: UUID
) -> None:
    backup_id = uuid4()
    provider.ensure_backup(instance_id, backup_id, "before")
    provider.restore_backup(instance_id, backup_id)
    provider.wait_started(instance_id)
    with pytest.raises(ProviderError) as missing:
        provider.restore_backup(instance_id, uuid4())
    assert missing.value.code in {"BACKUP_NOT_FOUND", "RESTORE_FAILED"}


def test_a_stopped_server_restored_runs_again(provider: ServerProvider, instance_id: UUID) -> None:
    backup_id = uuid4()
    provider.ensure_backup(instance_id, backup_id, "before")
    provider.power_off(instance_id)
    provider.restore_backup(instance_id, backup_id)
    provider.restore_backup(instance_id, backup_id)  # the saga's step delivered again
    provider.wait_started(instance_id)  # raises for a server left stopped


def test_a_backup_the_provider_fails_to_take_is_reported_and_leaves_nothing(
    cloudsim_url: str, provider: ServerProvider, instance_id: UUID
) -> None:
    path = (
        "/hetzner/v1/servers/*/actions/create_image"
        if provider.name == "hetzner"
        else "/proxmox/api2/json/nodes/*/vzdump"
    )
    add_fault(cloudsim_url, path=path, kind="action_error", times=1)
    with pytest.raises(ProviderError) as failed:
        provider.ensure_backup(instance_id, uuid4(), "unlucky")
    assert failed.value.code == "BACKUP_FAILED"
    assert provider.backups(instance_id) == []


def test_an_instance_deleted_takes_its_backups_with_it(
    provider: ServerProvider, instance_id: UUID
) -> None:
    provider.ensure_backup(instance_id, uuid4(), "kept until the end")
    provider.ensure_deleted(instance_id)
    assert provider.backups(instance_id) == []
