"""What a `Network`'s stored events look like on `vps.events`: firewall changes and
additional addresses, each naming its instance. Reservations stay inside the service."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hostplane.contracts import events as contract
from hostplane.contracts.network import FirewallRule
from hostplane.provisioning.domain.network import Network


def _released(e: Any, at: datetime) -> contract.EventPayload | None:
    # A reservation the provider never filled was never an address of the VPS.
    if e.address is None:
        return None
    return contract.AddressReleased(
        occurred_at=at,
        instance_id=e.instance_id,
        network_id=e.originator_id,
        address_id=e.address_id,
        address=e.address,
    )


NETWORK_PAYLOADS: dict[type[Any], Callable[[Any, datetime], contract.EventPayload | None]] = {
    Network.FirewallUpdated: lambda e, at: contract.FirewallUpdated(
        occurred_at=at,
        instance_id=e.instance_id,
        network_id=e.originator_id,
        rules=[FirewallRule.model_validate(rule) for rule in e.rules],
    ),
    Network.AddressAttached: lambda e, at: contract.AddressAttached(
        occurred_at=at,
        instance_id=e.instance_id,
        network_id=e.originator_id,
        address_id=e.address_id,
        address=e.address,
        ip_version=e.ip_version,
    ),
    Network.AddressReleased: _released,
}
