"""The panel's system status: what the gateway depends on, each asked for real."""

import asyncio
from dataclasses import dataclass
from typing import Literal

from hostplane.gateway.application.health import Health
from hostplane.gateway.application.ports import Reachable

State = Literal["ok", "down", "not_configured"]


@dataclass(frozen=True)
class StatusReport:
    uptime_s: float
    database: State
    redis: State
    queue: State
    proxmox: State


def _state(ok: bool) -> State:
    return "ok" if ok else "down"


async def _probe(target: Reachable | None) -> State:
    return "not_configured" if target is None else _state(await target.reachable())


@dataclass(frozen=True)
class SystemStatus:
    health: Health
    cache: Reachable | None  # Redis, when the rate limits are shared there
    proxmox: Reachable | None  # when provisioning places servers on Proxmox VE

    async def report(self) -> StatusReport:
        """The database, broker, Redis and Proxmox VE, asked at once."""
        reached, redis, proxmox = await asyncio.gather(
            self.health.reachability(), _probe(self.cache), _probe(self.proxmox)
        )
        return StatusReport(
            uptime_s=self.health.uptime,
            database=_state(reached.database),
            redis=redis,
            queue=_state(reached.broker),
            proxmox=proxmox,
        )
