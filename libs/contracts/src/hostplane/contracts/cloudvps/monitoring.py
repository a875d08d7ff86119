"""Seed 003, VPS Monitoring: resource metrics over a period, and console access."""

from typing import Literal, Self

from pydantic import model_validator

from hostplane.contracts.cloudvps.wire import Body, Request, TimeIn, Timestamp

Period = Literal["hour", "day", "week", "month"]


class MetricsQuery(Request):
    """A period back from now, or the window between two times."""

    period: Period = "day"
    start_time: TimeIn | None = None
    end_time: TimeIn | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValueError("start_time must come before end_time")
        return self


class MetricsPoint(Body):
    """Percentages of CPU, RAM and disk; network in and out in KB/s."""

    timestamp: Timestamp
    cpu: float
    ram: float
    disk: float
    network_in: float
    network_out: float


class Metrics(Body):
    """The latest sample, the uptime in seconds, and the samples of the period."""

    cpu_usage: float
    ram_usage: float
    disk_usage: float
    network_in: float
    network_out: float
    uptime: int
    metrics_history: list[MetricsPoint]


class Console(Body):
    """A VNC console: its address and a password that expire together."""

    console_url: str
    vnc_password: str
    expires_at: Timestamp
