"""The network adapters end to end against cloudsim, through the real hcloud and proxmoxer:
firewall rules as the provider holds them, additional addresses attached once, and nothing
left once released."""

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from hostplane.cloudsim.app import create_app
from hostplane.contracts.catalog import PLANS, HetznerRegion, Plan, ProxmoxRegion
from hostplane.contracts.network import FirewallRule
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.hetzner import HetznerProvider
from hostplane.provisioning.adapters.hetzner_network import HetznerNetwork
from hostplane.provisioning.adapters.network import VpsServer
from hostplane.provisioning.adapters.provider import ServerSpec
from hostplane.provisioning.adapters.proxmox import ProxmoxProvider
from hostplane.provisioning.adapters.proxmox_api import ProxmoxApi
from hostplane.provisioning.adapters.proxmox_network import ProxmoxNetwork
from tools.cloudsim.tests.conftest import serve

HTTP = FirewallRule(
    action="accept", protocol="tcp", ports="80", cidr="0.0.0.0/0", description="web"
)
SSH = FirewallRule(action="accept", protocol="tcp", ports="2200-2299", cidr="203.0.113.0/24")
PING = FirewallRule(action="drop", protocol="icmp", cidr="198.51.100.7/32")
ALL_UDP = FirewallRule(direction="out", action="accept", protocol="udp", cidr="::/0")
TOKEN = "hetzner-token"


@pytest.fixture(scope="module")
def cloudsim_url() -> Iterator[str]:
    env = {"CLOUDSIM_BOOT_DELAY": "0.05", "CLOUDSIM_ACTION_DELAY": "0.02"}
    yield from serve(create_app(env))


def _network_state(cloudsim_url: str, provider: str) -> dict[str, Any]:
    state: dict[str, Any] = httpx.get(f"{cloudsim_url}/_admin/network/{provider}").json()
    return state


# ---- Hetzner -------------------------------------------------------------------------------


@pytest.fixture
def hetzner_server(cloudsim_url: str) -> VpsServer:
    instance_id = uuid4()
    servers = HetznerProvider(
        token=TOKEN, endpoint=f"{cloudsim_url}/hetzner/v1", poll_interval_s=0.01
    )
    region = HetznerRegion(location="fsn1", datacenter="fsn1-dc14")
    spec = ServerSpec(
        instance_id, PLANS[Plan.STARTER], region, "ubuntu-24.04", "#cloud-config\n", []
    )
    return VpsServer(instance_id, servers.ensure_server(spec).facts, "fsn1")


@pytest.fixture
def hetzner(cloudsim_url: str) -> HetznerNetwork:
    return HetznerNetwork(token=TOKEN, endpoint=f"{cloudsim_url}/hetzner/v1")


def _firewalls_of(cloudsim_url: str, instance_id: UUID) -> list[dict[str, Any]]:
    return [
        f
        for f in _network_state(cloudsim_url, "hetzner")["firewalls"]
        if f["labels"].get("hostplane.io/instance-id") == str(instance_id)
    ]


def test_hetzner_holds_one_firewall_per_vps_with_its_accepting_rules(
    cloudsim_url: str, hetzner: HetznerNetwork, hetzner_server: VpsServer
) -> None:
    hetzner.apply_firewall(hetzner_server, [HTTP, SSH, PING])
    hetzner.apply_firewall(hetzner_server, [HTTP, SSH, PING])  # a repeat makes no second one
    (firewall,) = _firewalls_of(cloudsim_url, hetzner_server.instance_id)
    assert [
        (r["direction"], r["protocol"], r["port"], r["source_ips"]) for r in firewall["rules"]
    ] == [
        ("in", "tcp", "80", ["0.0.0.0/0"]),
        ("in", "tcp", "2200-2299", ["203.0.113.0/24"]),
    ]
    assert [a["server"]["id"] for a in firewall["applied_to"]] == [hetzner_server.facts.server_id]

    hetzner.apply_firewall(hetzner_server, [ALL_UDP])
    (firewall,) = _firewalls_of(cloudsim_url, hetzner_server.instance_id)
    assert [(r["direction"], r["port"], r["destination_ips"]) for r in firewall["rules"]] == [
        ("out", "1-65535", ["::/0"])
    ]


def test_hetzner_gives_a_floating_ip_once_and_deletes_it_on_release(
    cloudsim_url: str, hetzner: HetznerNetwork, hetzner_server: VpsServer
) -> None:
    address_id = uuid4()
    first = hetzner.attach_address(hetzner_server, address_id, None)
    assert hetzner.attach_address(hetzner_server, address_id, None) == first
    floating = [
        f
        for f in _network_state(cloudsim_url, "hetzner")["floating_ips"]
        if f["labels"].get("hostplane.io/instance-id") == str(hetzner_server.instance_id)
    ]
    assert [(f["ip"], f["server"], f["home_location"]["name"]) for f in floating] == [
        (first.address, hetzner_server.facts.server_id, "fsn1")
    ]
    hetzner.apply_firewall(hetzner_server, [HTTP])
    HetznerProvider(token=TOKEN, endpoint=f"{cloudsim_url}/hetzner/v1").ensure_deleted(
        hetzner_server.instance_id
    )
    hetzner.release_addresses(hetzner_server.instance_id, [first.address])
    hetzner.release_addresses(hetzner_server.instance_id, [first.address])
    state = _network_state(cloudsim_url, "hetzner")
    assert first.address not in {f["ip"] for f in state["floating_ips"]}
    assert _firewalls_of(cloudsim_url, hetzner_server.instance_id) == []


# ---- Proxmox -------------------------------------------------------------------------------


@pytest.fixture
def proxmox_server(cloudsim_url: str) -> VpsServer:
    instance_id = uuid4()
    servers = ProxmoxProvider(
        api_url=f"{cloudsim_url}/proxmox",
        token_id="hostplane@pve!provisioning",
        token_secret="s3cret",
        poll_interval_s=0.02,
        boot_timeout_s=10,
    )
    region = ProxmoxRegion(nodes=["pve1", "pve2", "pve3"], datacenter="tyo-pve")
    spec = ServerSpec(
        instance_id, PLANS[Plan.STARTER], region, "ubuntu-24.04", "#cloud-config\n", []
    )
    return VpsServer(instance_id, servers.ensure_server(spec).facts, "tyo-pve")


@pytest.fixture
def proxmox(cloudsim_url: str) -> ProxmoxNetwork:
    api = ProxmoxApi(
        f"{cloudsim_url}/proxmox", "hostplane@pve!provisioning", "s3cret", True, 5.0, 0.02, 10.0
    )
    return ProxmoxNetwork(api)


def _vm_firewall(cloudsim_url: str, server: VpsServer) -> dict[str, Any]:
    firewall: dict[str, Any] = _network_state(cloudsim_url, "proxmox")["firewalls"][
        str(server.facts.server_id)
    ]
    return firewall


def test_proxmox_keeps_the_rules_in_order_on_an_enabled_vm_firewall(
    cloudsim_url: str, proxmox: ProxmoxNetwork, proxmox_server: VpsServer
) -> None:
    proxmox.apply_firewall(proxmox_server, [HTTP, SSH, PING])
    proxmox.apply_firewall(proxmox_server, [HTTP, SSH, PING])
    firewall = _vm_firewall(cloudsim_url, proxmox_server)
    assert [
        (r["action"], r["proto"], r.get("dport"), r.get("source")) for r in firewall["rules"]
    ] == [
        ("ACCEPT", "tcp", "80", "0.0.0.0/0"),
        ("ACCEPT", "tcp", "2200:2299", "203.0.113.0/24"),
        ("DROP", "icmp", None, "198.51.100.7/32"),
    ]
    assert (firewall["options"]["enable"], firewall["options"]["policy_in"]) == (1, "DROP")
    proxmox.apply_firewall(proxmox_server, [])
    assert _vm_firewall(cloudsim_url, proxmox_server)["rules"] == []


def test_proxmox_lets_the_vm_use_a_pool_address_until_released(
    cloudsim_url: str, proxmox: ProxmoxNetwork, proxmox_server: VpsServer
) -> None:
    attached = proxmox.attach_address(proxmox_server, uuid4(), "198.51.100.9")
    proxmox.attach_address(proxmox_server, uuid4(), "198.51.100.9")
    assert attached.address == "198.51.100.9"
    ipset = _vm_firewall(cloudsim_url, proxmox_server)["ipsets"]["ipfilter-net0"]
    assert ipset == [proxmox_server.facts.ip_address, "198.51.100.9"]
    proxmox.release_addresses(proxmox_server.instance_id, ["198.51.100.9"])
    assert _vm_firewall(cloudsim_url, proxmox_server)["ipsets"]["ipfilter-net0"] == [
        proxmox_server.facts.ip_address
    ]
    with pytest.raises(ProviderError):
        proxmox.attach_address(proxmox_server, uuid4(), None)
