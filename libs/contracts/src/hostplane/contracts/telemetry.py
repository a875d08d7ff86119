"""What instances report about themselves: log lines and AI usage, and how usage is priced.

Instances upload batches with their own bearer token; the gateway puts each batch on a
`telemetry.*` topic and `metrics` stores it. Batches and records carry ids, so an upload
retried after a timeout is stored once.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from hostplane.contracts.topics import SERVER_USAGE, TELEMETRY_AI_USAGE, TELEMETRY_LOGS, Topic


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARN = "warn"
    ERROR = "error"


SEVERITY = {LogLevel.DEBUG: 10, LogLevel.INFO: 20, LogLevel.WARN: 30, LogLevel.ERROR: 40}


class LogEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timestamp: datetime
    level: LogLevel
    message: Annotated[str, Field(max_length=8192)]
    source: Literal["openclaw", "nginx", "system"]


class LogUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batch_id: UUID | None = None
    entries: Annotated[list[LogEntry], Field(min_length=1, max_length=1000)]


class UsageRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=128)]  # the instance's request id
    timestamp: datetime
    model: Annotated[str, Field(min_length=1, max_length=200)]
    tokens_in: Annotated[int, Field(ge=0, le=10_000_000)]
    tokens_out: Annotated[int, Field(ge=0, le=10_000_000)]


class UsageUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: Annotated[list[UsageRecord], Field(min_length=1, max_length=1000)]


class UploadAccepted(BaseModel):
    accepted: int


class TelemetryBatch(BaseModel):
    topic: ClassVar[Topic]
    instance_id: UUID
    batch_id: UUID
    received_at: datetime


class LogBatch(TelemetryBatch):
    topic = TELEMETRY_LOGS
    entries: list[LogEntry]


class UsageBatch(TelemetryBatch):
    topic = TELEMETRY_AI_USAGE
    records: list[UsageRecord]


class ServerUsage(BaseModel):
    """One server's resource usage at `ts`, as its provider measured it (`telemetry.server_usage`,
    keyed by instance id). Sampled again it is the same row: `(instance_id, ts)` is its key."""

    topic: ClassVar[Topic] = SERVER_USAGE
    instance_id: UUID
    ts: datetime
    provider: str
    cpu_percent: float
    disk_bps: float  # read + write, bytes per second
    net_in_bps: float
    net_out_bps: float
    traffic_out_gb: float  # this billing period, where the provider counts it
    traffic_gb: float  # included in the plan
    # Memory in use; None where the provider cannot see inside the server (Hetzner).
    ram_used_mb: float | None = None


# USD per million tokens (input, output), by model name prefix; the longest prefix wins.
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "anthropic/claude-opus": (15.0, 75.0),
    "anthropic/claude-sonnet": (3.0, 15.0),
    "anthropic/claude-haiku": (0.8, 4.0),
    "openai/gpt-5": (1.25, 10.0),
    "openai/gpt-4o-mini": (0.15, 0.6),
    "openai/gpt-4o": (2.5, 10.0),
    "ollama/": (0.0, 0.0),  # runs on the instance itself
}


def price(model: str, tokens_in: int, tokens_out: int) -> float:
    """The cost of one request in USD; models not in the table cost nothing."""
    matches = [prefix for prefix in PRICES_PER_MILLION if model.startswith(prefix)]
    if not matches:
        return 0.0
    per_in, per_out = PRICES_PER_MILLION[max(matches, key=len)]
    return (tokens_in * per_in + tokens_out * per_out) / 1_000_000
