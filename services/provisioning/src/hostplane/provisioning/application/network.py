"""A VPS's network: its firewall and additional addresses, at its provider and in its
`Network` aggregate.

Commands for one instance are handled in order on its partition. A command acts at the
provider first (every call safe to repeat), then stores its events with its job and its
position; a command handled again after a crash repeats the same calls. An additional
address is reserved (a pool address claimed) in a transaction of its own before the provider
is asked, so a retry asks for the same address. When the VPS is deleted its addresses are
released with its termination: a Floating IP deleted at Hetzner, a pool address returned.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.vps import InstanceStatus
from hostplane.messaging.jobs import Job
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.network import NetworkProvider, VpsServer
from hostplane.provisioning.domain.instance import Instance
from hostplane.provisioning.domain.network import (
    Address,
    AddressClaim,
    AddressLimitReached,
    Network,
    pool_addresses,
)
from hostplane.provisioning.domain.operations import Operation, TransitionRefused

if TYPE_CHECKING:
    from hostplane.provisioning.application.service import Provisioning

# The contract names any provider's failure PROXMOX_ERROR.
PROVIDER_FAILED = "PROXMOX_ERROR"


@dataclass(frozen=True)
class Networking:
    """Where networks are kept: each provider's adapter, the Proxmox pool, the limit."""

    providers: Mapping[str, NetworkProvider] = field(default_factory=dict)
    pool: str = ""  # PROXMOX_IP_POOL
    addresses_per_vps: int = 4


def network_of(app: "Provisioning", instance_id: UUID) -> Network | None:
    try:
        network: Network = app.repository.get(Network.create_id(instance_id))
    except AggregateNotFoundError:
        return None
    return network


def _server(instance: Instance) -> VpsServer:
    """The instance's server, if it has one and lives on (else its state refuses)."""
    terminating = instance.pending is not None and instance.pending.operation is Operation.TERMINATE
    live = instance.status in (InstanceStatus.ACTIVE, InstanceStatus.SUSPENDED)
    if instance.server is None or not live or terminating:
        state = "terminating" if terminating else instance.status.value
        raise TransitionRefused(f"VPS is {state}", code="CONFLICT", status=instance.status)
    return VpsServer(instance.id, instance.server, instance.location)


def _provider(app: "Provisioning", instance: Instance) -> NetworkProvider:
    provider = app.networking.providers.get(instance.provider)
    if provider is None:
        raise ProviderError(PROVIDER_FAILED, f"no {instance.provider} account is configured")
    return provider


def update_firewall(
    app: "Provisioning", instance: Instance, command: commands.UpdateFirewall, job: Job
) -> list[Aggregate | None]:
    """Make the provider's firewall hold the rules, then record them."""
    server = _server(instance)
    network = network_of(app, instance.id) or Network(instance_id=instance.id)
    try:
        _provider(app, instance).apply_firewall(server, command.rules)
    except ProviderError as error:
        job.fail(PROVIDER_FAILED, error.message)
        return []
    network.update_firewall(list(command.rules))
    job.succeed({"rules": len(command.rules)})
    return [network]


def attach_address(
    app: "Provisioning", instance: Instance, command: commands.AttachAddress, job: Job
) -> list[Aggregate | None]:
    """Reserve an address (stored at once), have the provider attach it, record it."""
    server = _server(instance)
    provider = _provider(app, instance)
    network = network_of(app, instance.id) or Network(instance_id=instance.id)
    try:
        reserved = _reserve(app, network, job, pooled=provider.pooled)
        attached = provider.attach_address(server, job.id, reserved)
    except AddressLimitReached as refusal:
        job.fail("CONFLICT", str(refusal))
        return []
    except ProviderError as error:
        job.fail(PROVIDER_FAILED, error.message)
        return [network, *_release(app, network, job.id)]
    network.attach(job.id, attached.address, attached.ip_version)
    job.succeed({"address": attached.address, "version": attached.ip_version})
    return [network]


def _reserve(app: "Provisioning", network: Network, job: Job, pooled: bool) -> str | None:
    """The address held for this command: reserved before, or now (and saved)."""
    held = network.addresses.get(job.id)
    if held is not None:
        return held.address
    if not pooled:
        network.reserve(job.id, None, app.networking.addresses_per_vps)
        app.save(network)
        return None
    for address in pool_addresses(app.networking.pool):
        claim = _claim(app, address, job)
        if claim is None:
            continue
        network.reserve(job.id, address, app.networking.addresses_per_vps)
        # One transaction: a replica claiming the same address at once fails to save.
        app.save(network, claim)
        return address
    raise ProviderError(PROVIDER_FAILED, "the cluster's address pool is exhausted")


def _claim(app: "Provisioning", address: str, job: Job) -> AddressClaim | None:
    try:
        claim: AddressClaim = app.repository.get(AddressClaim.create_id(address))
    except AggregateNotFoundError:
        return AddressClaim(address=address, address_id=job.id)
    if not claim.free:
        return None
    claim.claim(job.id)
    return claim


def release_addresses(app: "Provisioning", instance: Instance) -> list[Aggregate]:
    """Let the deleted VPS's addresses go at its provider, and return pool addresses."""
    network = network_of(app, instance.id)
    if network is None or not network.addresses:
        return []
    provider = app.networking.providers.get(instance.provider)
    held = [a.address for a in network.addresses.values() if a.address]
    if provider is not None:
        provider.release_addresses(instance.id, held)
    claims = [_returned(app, released) for released in network.release_all()]
    return [network, *(claim for claim in claims if claim is not None)]


def _release(app: "Provisioning", network: Network, address_id: UUID) -> list[Aggregate]:
    """Give up a reservation whose attachment failed for good."""
    released = network.release(address_id)
    claim = _returned(app, released) if released is not None else None
    return [claim] if claim is not None else []


def _returned(app: "Provisioning", released: Address) -> AddressClaim | None:
    """The pool address's claim, given back (None for an address not from the pool)."""
    if released.address is None:
        return None
    try:
        claim: AddressClaim = app.repository.get(AddressClaim.create_id(released.address))
    except AggregateNotFoundError:
        return None
    claim.release(released.address_id)
    return claim
