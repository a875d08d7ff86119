"""Seed 003, VPS Networking: the addresses of a VPS and its firewall rules."""

import ipaddress
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from hostplane.contracts.cloudvps.wire import Body, Request, Timestamp


def _network(value: str) -> str:
    # `0.0.0.0/0`, `2001:db8::/32` or one address; host bits under the prefix are a mistake.
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as error:
        raise ValueError(f"{value!r} is not an IP network in CIDR notation") from error


def _port_range(value: str) -> str:
    first, _, last = value.partition("-")
    if not (first.isdigit() and last.isdigit() and 1 <= int(first) < int(last) <= 65535):
        raise ValueError(f"{value!r} is not a port range such as 8000-8100 (1 to 65535)")
    return f"{int(first)}-{int(last)}"


Cidr = Annotated[str, AfterValidator(_network)]
Port = Annotated[int, Field(ge=1, le=65535, strict=True)]
# Beyond the contract's one port: an inclusive range, `"8000-8100"`.
PortRange = Annotated[str, AfterValidator(_port_range)]


class FirewallRule(Request):
    """Traffic from `source` to a port (every port when none is given), accepted or not.

    `direction` (beyond the contract, incoming when left out) makes a rule for outgoing
    traffic, whose `source` is then where it goes.
    """

    direction: Literal["in", "out"] | None = None
    action: Literal["accept", "drop", "reject"]
    protocol: Literal["tcp", "udp", "icmp"]
    port: Port | PortRange | None = None
    source: Cidr
    description: Annotated[str, Field(max_length=255)] | None = None

    @model_validator(mode="after")
    def _port_only_with_tcp_or_udp(self) -> Self:
        if self.protocol == "icmp" and self.port is not None:
            raise ValueError("icmp has no ports")
        return self


class UpdateNetworkRequest(Request):
    """The firewall's rules, all of them: those given replace those there were."""

    firewall_rules: Annotated[list[FirewallRule], Field(max_length=100)]


class IpAddress(Body):
    address: str
    version: Literal[4, 6]
    type: Literal["primary", "additional", "private"]
    created_at: Timestamp


class Network(Body):
    ip_address: str | None = None
    private_ip: str | None = None
    additional_ips: list[IpAddress] = []
    firewall_rules: list[FirewallRule] = []
