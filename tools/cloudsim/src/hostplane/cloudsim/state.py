"""cloudsim's in-memory world: servers, actions, DNS records, and how it behaves."""

import ipaddress
import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Config:
    boot_delay_s: float = 1.0
    action_delay_s: float = 0.2
    ready_callback: bool = True
    openclaw_version: str = "2026.11.0"
    seed: int = 0


@dataclass
class World:
    config: Config = field(default_factory=Config)
    servers: dict[int, dict[str, Any]] = field(default_factory=dict)
    actions: dict[int, dict[str, Any]] = field(default_factory=dict)
    ssh_keys: dict[int, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)  # zone id -> domain
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    request_counts: dict[str, int] = field(default_factory=dict)
    ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1000))
    ips: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))
    rng: random.Random = field(default_factory=random.Random)

    def next_id(self) -> int:
        return next(self.ids)

    def next_ipv4(self) -> str:
        # Sequential addresses in 100.64.0.0/10: room for four million servers.
        return str(ipaddress.IPv4Address("100.64.0.0") + next(self.ips))

    def reset(self) -> None:
        zones, config = self.zones, self.config
        self.__init__(config=config, zones=zones)  # type: ignore[misc]
        self.rng.seed(config.seed)

    def new_action(self, command: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
        action_id = self.next_id()
        action: dict[str, Any] = {
            "id": action_id,
            "command": command,
            "status": "running",
            "progress": 0,
            "started": now(),
            "finished": None,
            "resources": resources,
            "error": None,
        }
        self.actions[action_id] = action
        return action

    @staticmethod
    def finish(action: dict[str, Any], error: dict[str, str] | None = None) -> None:
        action.update(
            status="error" if error else "success", progress=100, finished=now(), error=error
        )
