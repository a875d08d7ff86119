"""A customer's VPS in memory, filtered, sorted and paged as the read models do, with their
networks."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from hostplane.gateway.application.cloudvps.network import AddressRow, NetworkRow
from hostplane.gateway.application.cloudvps.servers import VpsFilter, VpsRow
from hostplane.gateway.application.mpanel.readmodels import Page


@dataclass
class FakeVpsReads:
    rows: dict[UUID, VpsRow] = field(default_factory=dict)
    networks: dict[UUID, NetworkRow] = field(default_factory=dict)

    async def servers(self, tenant_id: UUID, customer_id: UUID, wanted: VpsFilter) -> Page[VpsRow]:
        mine = [
            r
            for r in self.rows.values()
            if r.tenant_id == tenant_id
            and r.customer_id == customer_id
            and (
                r.status != "terminated" if wanted.statuses is None else r.status in wanted.statuses
            )
            and wanted.stopped in (None, r.stopped_at is not None)
            and wanted.operation in (None, r.pending_operation)
        ]
        mine.sort(key=lambda r: (getattr(r, wanted.sort), r.id), reverse=wanted.descending)
        first = (wanted.page - 1) * wanted.limit
        return Page(mine[first : first + wanted.limit], len(mine))

    async def server(self, tenant_id: UUID, customer_id: UUID, vps_id: UUID) -> VpsRow | None:
        row = self.rows.get(vps_id)
        mine = row is not None and (row.tenant_id, row.customer_id) == (tenant_id, customer_id)
        return row if mine else None

    async def network(self, vps_id: UUID) -> NetworkRow:
        return self.networks.get(vps_id, NetworkRow([], []))

    async def address(self, vps_id: UUID, address_id: UUID) -> AddressRow | None:
        """The address an attachment made, as projected once its job succeeded."""
        held = self.networks.setdefault(vps_id, NetworkRow([], []))
        found = next((a for a in held.addresses if a.address_id == address_id), None)
        if found is None:
            found = AddressRow(
                address_id, f"198.18.0.{len(held.addresses) + 1}", 4, datetime.now(UTC)
            )
            held.addresses.append(found)
        return found
