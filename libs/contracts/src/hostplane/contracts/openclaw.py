"""Seed 000 (OpenClaw hosting API): request and response bodies, field for field."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints


class AiPreset(StrEnum):
    ANTHROPIC = "anthropic"
    OPENAI = "openai"
    OLLAMA = "ollama"
    MULTI = "multi"


class InstanceStatus(StrEnum):
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    ERROR = "error"


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INVALID_PLAN = "INVALID_PLAN"
    REGION_UNAVAILABLE = "REGION_UNAVAILABLE"
    HOSTNAME_TAKEN = "HOSTNAME_TAKEN"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    DOWNGRADE_NOT_POSSIBLE = "DOWNGRADE_NOT_POSSIBLE"
    NOT_FOUND = "NOT_FOUND"
    INVALID_STATE = "INVALID_STATE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


class ErrorResponse(BaseModel):
    error: str
    code: str
    details: dict[str, str] | None = None


# A DNS label (RFC 1035): letters, digits and inner hyphens, at most 63 characters; lowered.
Hostname = Annotated[
    str,
    StringConstraints(pattern=r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$", to_lower=True),
]


class CreateInstanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    whmcs_service_id: Annotated[int, Field(gt=0, strict=True)]
    whmcs_client_id: Annotated[int, Field(gt=0, strict=True)]
    # plan and region are validated against the catalog by the gateway, so that an unknown
    # value answers INVALID_PLAN / REGION_UNAVAILABLE as the contract names them.
    plan: str
    region: str
    email: EmailStr
    hostname: Hostname | None = None
    ssh_key_ids: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=20)] = []
    ai_preset: AiPreset | None = None


class CreateInstanceResponse(BaseModel):
    id: UUID
    status: Literal["provisioning"]
    subdomain: str
    url: str
    estimated_ready: int


class ServerInfo(BaseModel):
    hetzner_id: int
    server_type: str
    datacenter: str


class DnsInfo(BaseModel):
    subdomain: str
    cloudflare_record_id: str


class HealthInfo(BaseModel):
    last_check: str
    gateway_status: Literal["up", "down", "unknown"]
    uptime_percent: float


class InstanceResponse(BaseModel):
    id: UUID
    status: InstanceStatus
    plan: str
    region: str
    ip_address: str | None
    subdomain: str
    url: str
    openclaw_version: str | None
    created_at: str
    updated_at: str
    whmcs_service_id: int
    server: ServerInfo
    dns: DnsInfo
    health: HealthInfo


class SuspendResponse(BaseModel):
    id: UUID
    status: Literal["suspended"]
    suspended_at: str


class UnsuspendResponse(BaseModel):
    id: UUID
    status: Literal["active"]
    unsuspended_at: str


class TerminateResponse(BaseModel):
    id: UUID
    status: Literal["terminated"]
    terminated_at: str
    data_deleted: bool


class RebootResponse(BaseModel):
    id: UUID
    status: Literal["rebooting"]
    estimated_ready: int


class ResizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked against the catalog by the gateway, so an unknown plan answers INVALID_PLAN.
    new_plan: str


class ResizeResponse(BaseModel):
    id: UUID
    old_plan: str
    new_plan: str
    status: Literal["resizing"]


Secret = Annotated[str, Field(min_length=1, max_length=512)]


class AgentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class ApiKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anthropic: Secret | None = None
    openai: Secret | None = None
    custom: Annotated[dict[Annotated[str, Field(max_length=64)], Secret], Field(max_length=20)] = {}


class ChannelToggle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool


class TelegramChannel(ChannelToggle):
    bot_token: Secret | None = None


class Channels(BaseModel):
    model_config = ConfigDict(extra="forbid")

    whatsapp: ChannelToggle | None = None
    telegram: TelegramChannel | None = None
    discord: ChannelToggle | None = None
    slack: ChannelToggle | None = None


class UpdateConfigRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent: AgentConfig | None = None
    api_keys: ApiKeys | None = None
    channels: Channels | None = None


class UpdateConfigResponse(BaseModel):
    id: UUID
    config_updated: Literal[True]
    restart_required: bool


class ReadyRequest(BaseModel):
    openclaw_version: Annotated[str, Field(min_length=1, max_length=64)]
    gateway_port: Annotated[int, Field(ge=1, le=65535, strict=True)]


class ReadyResponse(BaseModel):
    acknowledged: Literal[True]


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    uptime: float
    db: Literal["connected"]
    timestamp: str


class JobAccepted(BaseModel):
    """Answered (202) when a job outlives the bounded wait of an endpoint that returns state."""

    job_id: UUID
    status: Literal["queued", "running"]


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix, as the contract's timestamps are written."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class SsoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: Annotated[int, Field(gt=0, strict=True)]
    service_id: Annotated[int, Field(gt=0, strict=True)]
    email: EmailStr
    timestamp: Annotated[int, Field(gt=0, strict=True)]
    signature: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]


class SsoResponse(BaseModel):
    token: str
    redirect_url: str
    expires_in: int


class SsoPayload(BaseModel):
    """What a one-time dashboard link carries (base64url JSON, signed)."""

    client_id: int
    service_id: int
    email: str


class WhmcsWebhook(BaseModel):
    event: Annotated[str, Field(min_length=1, max_length=100)]
    service_id: Annotated[int, Field(gt=0, strict=True)]
    client_id: Annotated[int, Field(gt=0, strict=True)]
    data: dict[str, Any] = {}


class WebhookReceived(BaseModel):
    received: Literal[True]


class Pagination(BaseModel):
    page: int
    limit: int
    total: int
    total_pages: int


class AdminSummary(BaseModel):
    total_active: int
    total_suspended: int
    total_provisioning: int
    total_revenue_mrr: float


class AdminInstancesResponse(BaseModel):
    instances: list[InstanceResponse]
    pagination: Pagination
    summary: AdminSummary


# Seed 001 names `/api/admin/users` and `/api/admin/stats` without shapes; these are ours.


class AdminUser(BaseModel):
    id: UUID
    whmcs_client_id: int
    email: str
    instances: int
    active_instances: int
    created_at: str


class AdminUsersResponse(BaseModel):
    users: list[AdminUser]
    pagination: Pagination


class AdminStatsResponse(BaseModel):
    instances_total: int
    instances_by_status: dict[str, int]
    instances_by_region: dict[str, int]
    instances_by_plan: dict[str, int]
    users_total: int
    revenue_mrr: float
    jobs_running: int
    jobs_failed_24h: int
    timestamp: str


class LogLine(BaseModel):
    timestamp: str
    level: Literal["info", "warn", "error", "debug"]
    message: str
    source: Literal["openclaw", "nginx", "system"]


class LogsResponse(BaseModel):
    instance_id: UUID
    logs: list[LogLine]
    has_more: bool
    next_cursor: str | None = None


class ModelUsage(BaseModel):
    model: str
    tokens_in: int
    tokens_out: int
    cost_usd: float
    request_count: int


class DailyUsage(BaseModel):
    date: str
    cost_usd: float
    tokens: int


class AIUsageResponse(BaseModel):
    instance_id: UUID
    period: Literal["today", "7d", "30d"]
    total_cost_usd: float
    total_tokens_in: int
    total_tokens_out: int
    by_model: list[ModelUsage]
    daily: list[DailyUsage]


class CurrentUsage(BaseModel):
    cpu_percent: float
    ram_used_mb: float
    ram_total_mb: float
    disk_used_gb: float
    disk_total_gb: float
    bandwidth_used_gb: float
    bandwidth_total_gb: float


class UsageHistory(BaseModel):
    timestamps: list[str]
    cpu: list[float]
    ram: list[float]
    disk: list[float]
    network_in: list[float]
    network_out: list[float]


class MetricsResponse(BaseModel):
    current: CurrentUsage
    history: UsageHistory
    period: Literal["1h", "24h", "7d", "30d"]
