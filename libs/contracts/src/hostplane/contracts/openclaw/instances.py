"""Seed 000: WHMCS provisioning, the instance's state, its config and its ready callback."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from hostplane.contracts.vps import AiPreset, InstanceStatus

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
