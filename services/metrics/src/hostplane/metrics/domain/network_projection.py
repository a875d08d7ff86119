"""The projection rules of a VPS's network events (`vps.firewall_updated`,
`vps.address_attached`, `vps.address_released`)."""

from collections.abc import Callable
from typing import Any

from hostplane.contracts import events as e
from hostplane.metrics.domain.network_changes import (
    AddressGone,
    AddressSaved,
    FirewallSaved,
    NetworkChange,
)


def _firewall(ev: e.FirewallUpdated, version: int) -> list[NetworkChange]:
    rules = [rule.model_dump(mode="json") for rule in ev.rules]
    return [FirewallSaved(ev.instance_id, ev.network_id, version, rules, ev.occurred_at)]


def _attached(ev: e.AddressAttached, _: int) -> list[NetworkChange]:
    return [AddressSaved(ev.address_id, ev.instance_id, ev.address, ev.ip_version, ev.occurred_at)]


def _released(ev: e.AddressReleased, _: int) -> list[NetworkChange]:
    return [AddressGone(ev.address_id, ev.occurred_at)]


NETWORK_RULES: dict[type[e.EventPayload], Callable[[Any, int], list[Any]]] = {
    e.FirewallUpdated: _firewall,
    e.AddressAttached: _attached,
    e.AddressReleased: _released,
}
