"""`/api/v1/vps/{id}/network`: a VPS's addresses and firewall rules, the rules replaced as a
whole, and an additional IPv4 address. Another user's VPS is 404."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from hostplane.contracts.cloudvps.envelope import Envelope
from hostplane.contracts.cloudvps.networking import IpAddress, Network, UpdateNetworkRequest
from hostplane.gateway.application.cloudvps.network import VpsNetwork
from hostplane.gateway.entrypoints.cloudvps.dependencies import SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute
from hostplane.gateway.entrypoints.dependencies import GatewayDep

router = APIRouter(prefix="/api/v1/vps", tags=["networking"], route_class=EnvelopeRoute)


async def networks(gateway: GatewayDep) -> VpsNetwork:
    return gateway.cloudvps.network


NetworkDep = Annotated[VpsNetwork, Depends(networks)]


@router.get(
    "/{vps_id}/network",
    response_model=Envelope[Network],
    responses=refusals(401, 404),
)
async def get_network(vps_id: UUID, caller: SignedIn, network: NetworkDep) -> Envelope[Network]:
    """The VPS's addresses and firewall rules."""
    return Envelope(data=await network.get(caller, vps_id))


@router.put(
    "/{vps_id}/network",
    response_model=Envelope[Network],
    responses=refusals(401, 404, 409, 422, 502),
)
async def update_network(
    vps_id: UUID, body: UpdateNetworkRequest, caller: SignedIn, network: NetworkDep
) -> Envelope[Network]:
    """Replace the VPS's firewall rules: those given become all there are."""
    return Envelope(data=await network.replace_firewall(caller, vps_id, body))


@router.post(
    "/{vps_id}/network/ip",
    response_model=Envelope[IpAddress],
    status_code=201,
    responses=refusals(401, 404, 409, 502),
)
async def add_ip(vps_id: UUID, caller: SignedIn, network: NetworkDep) -> Envelope[IpAddress]:
    """An additional IPv4 address for the VPS."""
    return Envelope(data=await network.add_address(caller, vps_id))
