"""cloudsim's in-memory world: servers, actions, DNS records, and how it behaves."""

import ipaddress
import itertools
import math
import random
import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hostplane.cloudsim.stripe_objects import StripeState

# Resource ids in a path: Hetzner's numbers, Cloudflare's 32 hex digits, Stripe's `cus_…`.
RESOURCE_ID = re.compile(r"/(\d+|[0-9a-f]{32}|[a-z]{2,3}(?:_test)?_[A-Za-z0-9]{14,})(?=/|$)")


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Config:
    # A create takes boot_delay_s, or a uniform draw up to boot_delay_max_s when that is set.
    boot_delay_s: float = 1.0
    boot_delay_max_s: float | None = None
    action_delay_s: float = 0.2
    # Simulated time runs this much faster: delays shrink and the rate limit refills faster.
    time_factor: float = 1.0
    # Hetzner's limit per project (token): this many an hour, refilled evenly; 0 is none.
    rate_limit_per_hour: int = 0
    # What the bucket holds at start (default: full, as for a project at rest).
    rate_limit_initial: int | None = None
    # Cloudflare's limit per user (token): this many in any 5 (scaled) minutes; 0 is none.
    cloudflare_rate_limit_per_5_minutes: int = 0
    ready_callback: bool = True
    openclaw_version: str = "2026.11.0"
    seed: int = 0

    def boot_delay(self, rng: random.Random) -> float:
        high = self.boot_delay_max_s or self.boot_delay_s
        return rng.uniform(self.boot_delay_s, high) / self.time_factor

    def action_delay(self) -> float:
        return self.action_delay_s / self.time_factor


@dataclass
class RateLimit:
    """Hetzner's token bucket: `limit` requests, refilled at limit/3600 per (scaled) second."""

    limit: int
    time_factor: float
    tokens: float
    updated: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        refill = (now - self.updated) * self.limit / 3600 * self.time_factor
        self.tokens = min(float(self.limit), self.tokens + refill)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def headers(self) -> dict[str, str]:
        per_s = self.limit / 3600 * self.time_factor
        reset = int(time.time() + (self.limit - self.tokens) / per_s)
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(int(self.tokens)),
            "RateLimit-Reset": str(reset),
        }


@dataclass
class WindowLimit:
    """Cloudflare's limit per user: at most `limit` requests in any `window_s` seconds.

    Past it, requests are refused until the oldest one counted leaves the window.
    """

    limit: int
    window_s: float
    accepted: deque[float] = field(default_factory=deque)

    def take(self) -> bool:
        now = time.monotonic()
        while self.accepted and self.accepted[0] <= now - self.window_s:
            self.accepted.popleft()
        if len(self.accepted) >= self.limit:
            return False
        self.accepted.append(now)
        return True

    def retry_after(self) -> int:
        """Whole seconds until a request would be accepted again."""
        oldest = self.accepted[0] if self.accepted else time.monotonic()
        return max(1, math.ceil(oldest + self.window_s - time.monotonic()))


# ---- Proxmox VE -------------------------------------------------------------------------


@dataclass
class ProxmoxVM:
    """A QEMU VM of the simulated Proxmox cluster; `config` is its config file, key by key."""

    vmid: int
    node: str
    config: dict[str, str]
    status: str = "stopped"
    lock: str | None = None
    # When its guest agent answers (monotonic); None while it is not running.
    booted_at: float | None = None
    ip: str | None = None
    started_once: bool = False
    # The template whose image is on its boot disk (its own VMID for a template).
    image_of: int | None = None
    # Bytes of each disk replaced by an import and kept as `unusedN`, by volume ID.
    detached: dict[str, int] = field(default_factory=dict)


@dataclass
class ProxmoxTask:
    """A worker task, known by its UPID; `exitstatus` is None while it runs."""

    upid: str
    node: str
    type: str
    id: str
    user: str
    starttime: int
    exitstatus: str | None = None


@dataclass
class ProxmoxCluster:
    vms: dict[int, ProxmoxVM] = field(default_factory=dict)
    tasks: dict[str, ProxmoxTask] = field(default_factory=dict)
    # Uploaded files by node and volume id ("pve1/local:iso/x.iso").
    volumes: dict[str, bytes] = field(default_factory=dict)
    seeded: bool = False
    ips: "itertools.count[int]" = field(default_factory=lambda: itertools.count(10))


# ---- the world ---------------------------------------------------------------------------


@dataclass
class World:
    config: Config = field(default_factory=Config)
    servers: dict[int, dict[str, Any]] = field(default_factory=dict)
    actions: dict[int, dict[str, Any]] = field(default_factory=dict)
    ssh_keys: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Hetzner's images made of servers (snapshots, backups); the catalog's are not here.
    images: dict[int, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)  # zone id -> domain
    # PowerDNS: zone -> "<name>/<type>" -> RRset (a zone is seeded when first used).
    powerdns_rrsets: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # Proxmox VE: VMs, tasks and uploaded files (the template VM is seeded when first used).
    proxmox: ProxmoxCluster = field(default_factory=ProxmoxCluster)
    # Stripe: the one test-mode account's objects, events and idempotent answers.
    stripe: StripeState = field(default_factory=StripeState)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    request_counts: dict[str, int] = field(default_factory=dict)
    # Answers per HTTP status, for benchmarks.
    status_counts: dict[str, int] = field(default_factory=dict)
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    cloudflare_limits: dict[str, WindowLimit] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1000))
    ips: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))
    rng: random.Random = field(default_factory=random.Random)

    def route_counts(self) -> dict[str, int]:
        """Requests per route template ("GET /hetzner/v1/servers/{id}")."""
        counts: dict[str, int] = {}
        for route, n in self.request_counts.items():
            template = RESOURCE_ID.sub("/{id}", route)
            counts[template] = counts.get(template, 0) + n
        return counts

    def rate_limit(self, token: str) -> RateLimit | None:
        """The bucket of the project a token belongs to, when limits are on."""
        limit = self.config.rate_limit_per_hour
        if not limit:
            return None
        if token not in self.rate_limits:
            initial = self.config.rate_limit_initial
            # Every project's bucket starts with the world, and has refilled since.
            self.rate_limits[token] = RateLimit(
                limit,
                self.config.time_factor,
                float(limit if initial is None else initial),
                updated=self.started,
            )
        return self.rate_limits[token]

    def cloudflare_limit(self, token: str) -> WindowLimit | None:
        """The window of the Cloudflare user a token belongs to, when its limit is on."""
        limit = self.config.cloudflare_rate_limit_per_5_minutes
        if not limit:
            return None
        if token not in self.cloudflare_limits:
            self.cloudflare_limits[token] = WindowLimit(limit, 300 / self.config.time_factor)
        return self.cloudflare_limits[token]

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
