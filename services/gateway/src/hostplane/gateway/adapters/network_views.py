"""A VPS's network as the read models show it: its firewall's rules and the additional
addresses it holds (read-only)."""

from uuid import UUID

from psycopg.rows import class_row, scalar_row

from hostplane.contracts.network import FirewallRule
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.cloudvps.network import AddressRow, NetworkRow

ADDRESSES = """
    SELECT address_id, address, ip_version, attached_at FROM views.vps_addresses
    WHERE instance_id = %(vps)s AND released_at IS NULL
"""


class NetworkViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def network(self, vps_id: UUID) -> NetworkRow:
        rules = await self._db.one(
            scalar_row, "SELECT rules FROM views.vps_firewalls WHERE instance_id = %s", (vps_id,)
        )
        addresses = await self._db.all(
            class_row(AddressRow), ADDRESSES + " ORDER BY attached_at, address", {"vps": vps_id}
        )
        return NetworkRow([FirewallRule.model_validate(r) for r in rules or []], addresses)

    async def address(self, vps_id: UUID, address_id: UUID) -> AddressRow | None:
        return await self._db.one(
            class_row(AddressRow),
            ADDRESSES + " AND address_id = %(address)s",
            {"vps": vps_id, "address": address_id},
        )
