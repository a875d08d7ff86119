"""A VPS's network (seed 003, VPS Networking): its addresses and firewall rules.

Only the VPS's owner reaches it (another user's VPS is not found). New rules replace all the
old ones through provisioning's `UpdateFirewall`, an additional IPv4 is its `AttachAddress`;
both are answered once their job has finished. A rule the VPS's provider cannot hold is
refused here, before anything is sent: Hetzner's Firewalls only allow (what no rule allows is
dropped), so a VPS there takes `accept` rules only.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from hostplane.contracts.cloudvps import networking as wire
from hostplane.contracts.commands import provisioning
from hostplane.contracts.network import FirewallRule
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.application.cloudvps.servers import Servers, VpsRow
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import JobFailed, Unprocessable
from hostplane.gateway.domain.mpanel.failures import job_refusal
from hostplane.messaging.settings import CatalogSettings

# Provisioning names any provider's failure as the contract does.
PROVIDER_FAILED = "PROXMOX_ERROR"


@dataclass(frozen=True)
class AddressRow:
    address_id: UUID
    address: str
    ip_version: int
    attached_at: datetime


@dataclass(frozen=True)
class NetworkRow:
    """What the read models hold of a VPS's network (nothing yet: no rules, no addresses)."""

    rules: list[FirewallRule]
    addresses: list[AddressRow]


class NetworkReads(Protocol):
    async def network(self, vps_id: UUID) -> NetworkRow: ...

    async def address(self, vps_id: UUID, address_id: UUID) -> AddressRow | None: ...


def contract_rule(rule: wire.FirewallRule) -> FirewallRule:
    return FirewallRule(
        direction=rule.direction or "in",
        action=rule.action,
        protocol=rule.protocol,
        ports=None if rule.port is None else str(rule.port),
        cidr=rule.source,
        description=rule.description,
    )


def wire_rule(rule: FirewallRule) -> wire.FirewallRule:
    port = rule.ports if rule.ports is None or "-" in rule.ports else int(rule.ports)
    return wire.FirewallRule(
        direction=None if rule.direction == "in" else rule.direction,
        action=rule.action,
        protocol=rule.protocol,
        port=port,
        source=rule.cidr,
        description=rule.description,
    )


def wire_address(row: AddressRow) -> wire.IpAddress:
    version = 6 if row.ip_version == 6 else 4
    return wire.IpAddress(
        address=row.address, version=version, type="additional", created_at=row.attached_at
    )


@dataclass(frozen=True)
class VpsNetwork:
    servers: Servers
    reads: NetworkReads
    commands: PanelCommands
    catalog: CatalogSettings

    async def get(self, caller: Caller, vps_id: UUID) -> wire.Network:
        """The VPS's addresses and firewall rules."""
        row = await self.servers.get(caller, vps_id)
        return self._shown(row, await self.reads.network(vps_id))

    async def replace_firewall(
        self, caller: Caller, vps_id: UUID, request: wire.UpdateNetworkRequest
    ) -> wire.Network:
        """Replace the VPS's firewall rules with those given, at its provider."""
        row = await self.servers.get(caller, vps_id)
        rules = [contract_rule(rule) for rule in request.firewall_rules]
        self._check_provider(row, rules)
        await self._run(provisioning.UpdateFirewall(instance_id=vps_id, rules=rules))
        held = await self.reads.network(vps_id)
        return self._shown(row, NetworkRow(rules, held.addresses))

    async def add_address(self, caller: Caller, vps_id: UUID) -> wire.IpAddress:
        """One more IPv4 address for the VPS (CONFLICT past its limit)."""
        await self.servers.get(caller, vps_id)
        job_id = await self._run(provisioning.AttachAddress(instance_id=vps_id))
        added = await self.commands.shown(job_id, lambda: self.reads.address(vps_id, job_id))
        return wire_address(added)

    async def _run(self, command: provisioning.UpdateFirewall | provisioning.AttachAddress) -> UUID:
        job = await self.commands.jobs.outcome(PROVISIONING_COMMANDS, command.instance_id, command)
        if job.status == "failed":
            if job.error_code == PROVIDER_FAILED:
                raise JobFailed(job.error_message or "The provider failed", code=PROVIDER_FAILED)
            raise job_refusal(job.error_code, job.error_message)
        return job.id

    def _check_provider(self, row: VpsRow, rules: list[FirewallRule]) -> None:
        region = next((s for r, s in self.catalog.regions.items() if r.value == row.region), None)
        if region is None or region.provider != "hetzner":
            return
        refused = {
            f"firewall_rules.{n}.action": "a VPS in this region takes accept rules only"
            for n, rule in enumerate(rules)
            if rule.action != "accept"
        }
        if refused:
            raise Unprocessable("Validation failed", details=refused, code="VALIDATION_ERROR")

    @staticmethod
    def _shown(row: VpsRow, network: NetworkRow) -> wire.Network:
        return wire.Network(
            ip_address=row.ip_address,
            additional_ips=[wire_address(address) for address in network.addresses],
            firewall_rules=[wire_rule(rule) for rule in network.rules],
        )
