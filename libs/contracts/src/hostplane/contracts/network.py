"""A VPS's network as it crosses processes: firewall rules and additional addresses.

A rule's ports are one port (`"80"`) or an inclusive range (`"8000-8100"`); `cidr` is an IPv4
or IPv6 network in CIDR notation (one address is a /32 or /128). The REST surfaces check what
a customer sent before a rule reaches this shape.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

Direction = Literal["in", "out"]
Action = Literal["accept", "drop", "reject"]
Protocol = Literal["tcp", "udp", "icmp"]


class FirewallRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    direction: Direction = "in"
    action: Action
    protocol: Protocol
    ports: str | None = None  # every port when None (icmp has none)
    cidr: str  # where traffic comes from (in) or goes to (out)
    description: str | None = None

    @property
    def port_range(self) -> tuple[int, int] | None:
        """The first and last port, or None for every port."""
        if self.ports is None:
            return None
        first, _, last = self.ports.partition("-")
        return int(first), int(last or first)
