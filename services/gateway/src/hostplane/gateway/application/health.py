"""Whether the gateway can serve: its database and its broker answer."""

import asyncio
import time
from dataclasses import dataclass, field

from hostplane.gateway.application.ports import Reachable
from hostplane.gateway.domain.errors import Unavailable


def _state(ok: bool) -> str:
    return "connected" if ok else "disconnected"


@dataclass(frozen=True)
class Health:
    database: Reachable
    broker: Reachable
    started: float = field(default_factory=time.monotonic)

    async def check(self) -> float:
        """Both are asked for real; returns the uptime in seconds, or refuses naming who is
        down."""
        db_ok, broker_ok = await asyncio.gather(self.database.reachable(), self.broker.reachable())
        if not (db_ok and broker_ok):
            details = {"db": _state(db_ok), "broker": _state(broker_ok)}
            raise Unavailable("Dependencies unreachable", details)
        return time.monotonic() - self.started
