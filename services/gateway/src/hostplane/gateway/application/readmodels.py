"""What the read models answer, one row type per query shape, and the filters queries take.

Units are converted where the rows are read: money in dollars, throughput in MB/s.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID


@dataclass(frozen=True, slots=True)
class InstanceState:
    """What a command is checked against: the owner, plan, status and any operation under way."""

    id: UUID
    whmcs_client_id: int
    plan: str
    status: str
    pending_operation: str | None
    openclaw_version: str | None


@dataclass(frozen=True, slots=True)
class InstanceRow:
    """What an instance's answer (`InstanceResponse`) is made of, and no more."""

    id: UUID
    whmcs_client_id: int
    whmcs_service_id: int
    status: str
    plan: str
    region: str
    ip_address: str | None
    subdomain: str
    openclaw_version: str | None
    created_at: datetime
    updated_at: datetime
    ready_at: datetime | None
    hetzner_id: int | None
    server_type: str
    datacenter: str | None  # as the provider reported it; None until it has
    dns_record_id: str | None


@dataclass(frozen=True, slots=True)
class OrderCheck:
    """What an order needs to know: the instance's subdomain if it exists already, and the
    live instance holding the wanted subdomain, if any."""

    existing_subdomain: str | None
    subdomain_owner: UUID | None


@dataclass(frozen=True, slots=True)
class JobRow:
    id: UUID
    status: str  # running | succeeded | failed
    error_code: str | None
    error_message: str | None
    finished_at: datetime | None
    # From the job's result: when the state the command met or left was reached, the state
    # that refused it, and whether a config change needs a restart.
    at: str | None
    met_status: str | None
    restart_required: bool
    # A payment session's job: the Checkout session billing opened.
    session_id: str | None = None
    checkout_url: str | None = None
    # An OpenConsole job's: the console's address, sealed password and expiry.
    console: dict[str, Any] | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed")


@dataclass(frozen=True, slots=True)
class LogRow:
    id: int
    ts: datetime
    level: Literal["debug", "info", "warn", "error"]
    message: str
    source: Literal["openclaw", "nginx", "system"]


@dataclass(frozen=True, slots=True)
class ModelUsageRow:
    model: str
    tokens_in: int
    tokens_out: int
    cost_usd: float
    request_count: int


@dataclass(frozen=True, slots=True)
class DailyUsageRow:
    date: str  # YYYY-MM-DD, UTC
    cost_usd: float
    tokens: int


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """AI usage over a period: per model (priciest first) and per day (oldest first)."""

    by_model: list[ModelUsageRow]
    daily: list[DailyUsageRow]

    @property
    def cost_usd(self) -> float:
        return sum(row.cost_usd for row in self.by_model)

    @property
    def tokens_in(self) -> int:
        return sum(row.tokens_in for row in self.by_model)

    @property
    def tokens_out(self) -> int:
        return sum(row.tokens_out for row in self.by_model)


@dataclass(frozen=True, slots=True)
class UsageSample:
    """The latest resource sample a provider reported."""

    cpu_percent: float
    ram_used_mb: float | None  # None where the provider cannot see inside the server
    traffic_out_gb: float
    traffic_gb: float


@dataclass(frozen=True, slots=True)
class UsagePoint:
    """Averages over one point of a period's history."""

    t: datetime
    cpu_percent: float
    ram_used_mb: float | None
    disk_mbps: float
    net_in_mbps: float
    net_out_mbps: float


@dataclass(frozen=True, slots=True)
class FleetTotals:
    """Instances by status, and the monthly recurring revenue of the active ones."""

    active: int
    suspended: int
    provisioning: int
    mrr_usd: float


@dataclass(frozen=True, slots=True)
class InstanceFilter:
    status: str | None = None
    region: str | None = None
    search: str | None = None  # an email, or its beginning


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of instances, how many match in all, and the fleet's totals."""

    instances: list[InstanceRow]
    total: int
    fleet: FleetTotals


@dataclass(frozen=True, slots=True)
class UserRow:
    id: UUID
    whmcs_client_id: int
    email: str
    created_at: datetime
    instances: int
    active_instances: int


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[UserRow]
    total: int


@dataclass(frozen=True, slots=True)
class JobCounts:
    running: int
    failed_24h: int
