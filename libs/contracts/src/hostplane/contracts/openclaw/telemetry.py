"""Seed 000: the dashboard's logs, AI usage and resource metrics."""

from typing import Literal
from uuid import UUID

from pydantic import BaseModel


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
