"""Every operating system Hostplane offers exists at both simulated providers, as the real
clients find it: a system image at Hetzner, a template VM of that name at Proxmox."""

import pytest
from hcloud import Client
from proxmoxer import ProxmoxResource

from hostplane.contracts.catalog import OPERATING_SYSTEMS


@pytest.mark.parametrize("image", sorted(OPERATING_SYSTEMS.values()))
def test_an_operating_system_of_the_catalog_is_a_hetzner_system_image(
    hetzner: Client, image: str
) -> None:
    found = hetzner.images.get_by_name_and_architecture(image, "x86")
    assert found is not None
    assert (found.type, found.status) == ("system", "available")
    assert f"{found.os_flavor}-{found.os_version}" == image


@pytest.mark.parametrize("image", sorted(OPERATING_SYSTEMS.values()))
def test_an_operating_system_of_the_catalog_is_a_proxmox_template(
    proxmox: ProxmoxResource, image: str
) -> None:
    templates = [
        vm
        for vm in proxmox.cluster.resources.get(type="vm")
        if vm["template"] and vm["name"] == image
    ]
    assert len(templates) == 1
    (template,) = templates
    config = proxmox.nodes(template["node"]).qemu(template["vmid"]).config.get()
    assert config["scsi0"].startswith(f"local-lvm:base-{template['vmid']}-disk-0,")
