"""A VPS's network events become its firewall row and its address rows."""

from datetime import UTC, datetime
from uuid import uuid4

from hostplane.contracts import events as e
from hostplane.contracts.network import FirewallRule
from hostplane.metrics.domain.network_changes import AddressGone, AddressSaved, FirewallSaved
from hostplane.metrics.domain.projection import changes

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
HTTP = FirewallRule(action="accept", protocol="tcp", ports="80", cidr="0.0.0.0/0")


def test_new_rules_replace_the_vps_firewall_row_as_of_their_version() -> None:
    instance_id, network_id = uuid4(), uuid4()
    updated = e.FirewallUpdated(
        occurred_at=T0, instance_id=instance_id, network_id=network_id, rules=[HTTP]
    )
    saved = [c for c in changes(updated, 3) if isinstance(c, FirewallSaved)]
    assert saved == [
        FirewallSaved(
            instance_id,
            network_id,
            3,
            [
                {
                    "direction": "in",
                    "action": "accept",
                    "protocol": "tcp",
                    "ports": "80",
                    "cidr": "0.0.0.0/0",
                    "description": None,
                }
            ],
            T0,
        )
    ]


def test_an_address_is_held_from_its_attachment_to_its_release() -> None:
    instance_id, network_id, address_id = uuid4(), uuid4(), uuid4()
    attached = e.AddressAttached(
        occurred_at=T0,
        instance_id=instance_id,
        network_id=network_id,
        address_id=address_id,
        address="198.18.0.1",
        ip_version=4,
    )
    released = e.AddressReleased(
        occurred_at=T0,
        instance_id=instance_id,
        network_id=network_id,
        address_id=address_id,
        address="198.18.0.1",
    )
    assert AddressSaved(address_id, instance_id, "198.18.0.1", 4, T0) in changes(attached, 4)
    assert AddressGone(address_id, T0) in changes(released, 5)
