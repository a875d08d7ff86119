"""Whether the gateway can serve: its database and its broker answer."""

import asyncio
import time
from dataclasses import dataclass, field

from hostplane.gateway.application.ports import Reachable
from hostplane.gateway.domain.errors import Unavailable


def _state(ok: bool) -> str:
    return "connected" if ok else "disconnected"


@dataclass(frozen=True)
class Reachability:
    database: bool
    broker: bool


@dataclass(frozen=True)
class Health:
    database: Reachable
    broker: Reachable
    started: float = field(default_factory=time.monotonic)

    @property
    def uptime(self) -> float:
        """Seconds since the gateway started."""
        return time.monotonic() - self.started

    async def reachability(self) -> Reachability:
        """Both are asked for real, at once."""
        db_ok, broker_ok = await asyncio.gather(self.database.reachable(), self.broker.reachable())
        return Reachability(db_ok, broker_ok)

    async def check(self) -> float:
        """Both are asked for real; returns the uptime in seconds, or refuses naming who is
        down."""
        reached = await self.reachability()
        if not (reached.database and reached.broker):
            details = {"db": _state(reached.database), "broker": _state(reached.broker)}
            raise Unavailable("Dependencies unreachable", details)
        return self.uptime
