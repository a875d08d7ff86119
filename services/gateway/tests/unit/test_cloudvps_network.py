"""A VPS's network at CloudVPS's edge: its owner's only (another's is 404), shown in the
contract's shape, rules checked before anything is sent, provisioning's refusals answered
with the contract's codes."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from hostplane.contracts.commands import provisioning as pc
from hostplane.contracts.network import FirewallRule
from hostplane.gateway.application.cloudvps.network import AddressRow, NetworkRow
from services.gateway.tests.fakes import Api
from services.gateway.tests.unit.test_cloudvps_vps import _customer, _vps

HTTP = {"action": "accept", "protocol": "tcp", "port": 80, "source": "0.0.0.0/0"}


def _error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_the_network_shows_the_primary_address_rules_and_additional_addresses(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    api.vps.networks[UUID(vps_id)] = NetworkRow(
        [FirewallRule(action="accept", protocol="tcp", ports="8000-8100", cidr="10.0.0.0/8")],
        [AddressRow(UUID(int=1), "198.18.0.9", 4, datetime(2026, 3, 2, tzinfo=UTC))],
    )
    answer = api.cloudvps.get(f"/api/v1/vps/{vps_id}/network", headers=jo)
    assert answer.status_code == 200
    assert answer.json()["data"] == {
        "ip_address": "203.0.113.7",
        "additional_ips": [
            {
                "address": "198.18.0.9",
                "version": 4,
                "type": "additional",
                "created_at": "2026-03-02T00:00:00Z",
            }
        ],
        "firewall_rules": [
            {"action": "accept", "protocol": "tcp", "port": "8000-8100", "source": "10.0.0.0/8"}
        ],
    }


def test_another_users_vps_network_is_not_found_and_nothing_is_sent(api: Api) -> None:
    _, jo_customer = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    vps_id = _vps(api, jo_customer, "web-1")
    path = f"/api/v1/vps/{vps_id}/network"
    for answer in (
        api.cloudvps.get(path, headers=sam),
        api.cloudvps.put(path, headers=sam, json={"firewall_rules": [HTTP]}),
        api.cloudvps.post(path + "/ip", headers=sam),
    ):
        assert _error(answer) == (404, "NOT_FOUND")
    assert not api.broker.sent(pc.UpdateFirewall) and not api.broker.sent(pc.AttachAddress)


def test_new_rules_replace_the_old_through_provisioning(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    ssh = {"action": "accept", "protocol": "tcp", "port": "2200-2299", "source": "203.0.113.0/24"}
    out = {"direction": "out", "action": "accept", "protocol": "udp", "source": "::/0"}
    answer = api.cloudvps.put(
        f"/api/v1/vps/{vps_id}/network", headers=jo, json={"firewall_rules": [HTTP, ssh, out]}
    )
    assert answer.status_code == 200
    assert answer.json()["data"]["firewall_rules"] == [HTTP, ssh, out]
    (sent,) = api.broker.sent(pc.UpdateFirewall)
    assert sent.instance_id == UUID(vps_id)
    assert [(r.direction, r.ports, r.cidr) for r in sent.rules] == [
        ("in", "80", "0.0.0.0/0"),
        ("in", "2200-2299", "203.0.113.0/24"),
        ("out", None, "::/0"),
    ]


def test_invalid_rules_are_a_validation_error_and_nothing_is_sent(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    for bad in (
        {**HTTP, "source": "10.0.0.1/8"},  # host bits under the prefix
        {**HTTP, "source": "not-a-network"},
        {**HTTP, "port": 0},
        {**HTTP, "port": 70000},
        {**HTTP, "port": "9000-80"},
        {**HTTP, "protocol": "gre"},
        {**HTTP, "action": "allow"},
        {**HTTP, "direction": "sideways"},
        {"action": "accept", "protocol": "icmp", "port": 80, "source": "0.0.0.0/0"},
    ):
        answer = api.cloudvps.put(
            f"/api/v1/vps/{vps_id}/network", headers=jo, json={"firewall_rules": [bad]}
        )
        assert _error(answer) == (422, "VALIDATION_ERROR"), bad
        assert answer.json()["error"]["details"], bad
    assert not api.broker.sent(pc.UpdateFirewall)


def test_a_vps_at_hetzner_takes_accepting_rules_only(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")  # eu-frankfurt: Hetzner
    drop = {**HTTP, "action": "drop"}
    answer = api.cloudvps.put(
        f"/api/v1/vps/{vps_id}/network", headers=jo, json={"firewall_rules": [HTTP, drop]}
    )
    assert _error(answer) == (422, "VALIDATION_ERROR")
    assert answer.json()["error"]["details"] == {
        "firewall_rules.1.action": "a VPS in this region takes accept rules only"
    }
    assert not api.broker.sent(pc.UpdateFirewall)


def test_an_additional_address_is_answered_once_attached(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    answer = api.cloudvps.post(f"/api/v1/vps/{vps_id}/network/ip", headers=jo)
    assert answer.status_code == 201
    data = answer.json()["data"]
    assert (data["address"], data["version"], data["type"]) == ("198.18.0.1", 4, "additional")
    assert [c.instance_id for c in api.broker.sent(pc.AttachAddress)] == [UUID(vps_id)]


def test_provisionings_refusals_answer_with_the_contracts_codes(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer, "web-1")
    api.billing.refusals["AttachAddress"] = ("CONFLICT", "A VPS may have at most 4 addresses")
    api.billing.refusals["UpdateFirewall"] = ("PROXMOX_ERROR", "invalid_input: port")
    full = api.cloudvps.post(f"/api/v1/vps/{vps_id}/network/ip", headers=jo)
    assert _error(full) == (409, "CONFLICT")
    failed = api.cloudvps.put(
        f"/api/v1/vps/{vps_id}/network", headers=jo, json={"firewall_rules": [HTTP]}
    )
    assert _error(failed) == (502, "PROXMOX_ERROR")
