"""How a VPS's network changes are written, inside the caller's transaction."""

from collections.abc import Callable
from typing import Any

from psycopg import Cursor
from psycopg.types.json import Jsonb

from hostplane.metrics.domain.network_changes import AddressGone, AddressSaved, FirewallSaved


def _firewall_saved(cur: Cursor[Any], change: FirewallSaved) -> None:
    cur.execute(
        "INSERT INTO vps_firewalls AS saved (instance_id, network_id, version, rules, updated_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (instance_id) DO UPDATE SET"
        " version = EXCLUDED.version, rules = EXCLUDED.rules, updated_at = EXCLUDED.updated_at"
        " WHERE saved.version < EXCLUDED.version",
        (change.instance_id, change.network_id, change.version, Jsonb(change.rules), change.at),
    )


def _address_saved(cur: Cursor[Any], change: AddressSaved) -> None:
    cur.execute(
        "INSERT INTO vps_addresses (address_id, instance_id, address, ip_version, attached_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (address_id) DO NOTHING",
        (change.address_id, change.instance_id, change.address, change.ip_version, change.at),
    )


def _address_gone(cur: Cursor[Any], change: AddressGone) -> None:
    cur.execute(
        "UPDATE vps_addresses SET released_at = %s WHERE address_id = %s AND released_at IS NULL",
        (change.at, change.address_id),
    )


NETWORK_WRITES: dict[type[Any], Callable[[Cursor[Any], Any], None]] = {
    FirewallSaved: _firewall_saved,
    AddressSaved: _address_saved,
    AddressGone: _address_gone,
}
