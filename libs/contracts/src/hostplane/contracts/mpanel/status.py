"""Seed 002 §2: the load balancer's health check and the UI's system status."""

from typing import Literal

from pydantic import Field

from hostplane.contracts.mpanel.common import Body

DependencyState = Literal["ok", "down", "not_configured"]


class Health(Body):
    status: Literal["ok"] = "ok"
    service: str = "mpanel-api"


class Dependencies(Body):
    database: DependencyState
    redis: DependencyState
    queue: DependencyState
    proxmox: DependencyState


class SystemStatus(Body):
    service: str = "mpanel-api"
    version: str
    uptime_seconds: int = Field(ge=0)
    dependencies: Dependencies
