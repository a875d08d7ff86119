"""What the use cases need from the outside world; adapters (and test fakes) provide it."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol
from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts.telemetry import TelemetryBatch
from hostplane.contracts.topics import Topic
from hostplane.gateway.application.readmodels import (
    FleetTotals,
    InstanceFilter,
    InstanceRow,
    InstanceState,
    JobCounts,
    JobRow,
    Listing,
    LogRow,
    OrderCheck,
    UsagePoint,
    UsageSample,
    UsageSummary,
    UserPage,
)
from hostplane.gateway.domain.pages import LogCursor
from hostplane.messaging.cloudevents import OutgoingEvent

UsagePeriod = Literal["today", "7d", "30d"]
MetricsPeriod = Literal["1h", "24h", "7d", "30d"]
CountedBy = Literal["status", "region", "plan"]


class Reachable(Protocol):
    async def reachable(self) -> bool:
        """Whether it answers, within a bound."""
        ...


class CommandPublisher(Reachable, Protocol):
    async def send(
        self,
        topic: Topic,
        aggregate_id: UUID,
        command: BaseModel,
        correlation_id: str | None = None,
        command_id: UUID | None = None,
    ) -> UUID:
        """Publish a command; returns its job id."""
        ...

    async def submit(self, batch: TelemetryBatch) -> None:
        """Hand an instance's telemetry batch on."""
        ...

    async def publish(self, event: OutgoingEvent) -> None:
        """Publish an event the gateway itself observed."""
        ...


@dataclass(frozen=True)
class IdempotentClaim:
    """What an Idempotency-Key names: the resource and the digest of the body that first
    used it; `fresh` when this request is that first use."""

    resource_id: UUID
    body_sha256: str
    fresh: bool


class IdempotencyKeys(Protocol):
    async def claim(
        self, key: str, body_sha256: str, resource_id: UUID, ttl_s: int
    ) -> IdempotentClaim:
        """Record the key's first use (atomically: of concurrent claims, one is fresh), or
        answer what its first use recorded while that has not expired."""
        ...


class UsedTokens(Protocol):
    async def first_use(self, key: str, ttl_s: int) -> bool:
        """Record a signature or link as used; False if it was used and has not expired."""
        ...


class InstanceReads(Protocol):
    async def instance(self, instance_id: UUID) -> InstanceRow | None: ...

    async def instance_state(self, instance_id: UUID) -> InstanceState | None: ...

    async def order_check(self, instance_id: UUID, subdomain: str) -> OrderCheck: ...

    async def wait_for_job(self, job_id: UUID, timeout_s: float) -> JobRow | None:
        """The job once finished, or its latest state (None: not started) past `timeout_s`."""
        ...


class TelemetryReads(Protocol):
    async def logs(
        self,
        instance_id: UUID,
        lines: int,
        since: datetime | None,
        min_severity: int,
        before: LogCursor | None,
    ) -> list[LogRow]:
        """Up to `lines` + 1 entries, newest first, older than the cursor."""
        ...

    async def usage(self, instance_id: UUID, period: UsagePeriod) -> UsageSummary: ...

    async def latest_sample(self, instance_id: UUID) -> UsageSample | None: ...

    async def history(self, instance_id: UUID, period: MetricsPeriod) -> list[UsagePoint]: ...

    async def history_between(
        self, instance_id: UUID, start: datetime, end: datetime, step: timedelta
    ) -> list[UsagePoint]:
        """Averages per `step` from `start` to `end`, oldest first; throughput in MB/s."""
        ...


class FleetReads(Protocol):
    async def instances(self, filters: InstanceFilter, page: int, limit: int) -> Listing: ...

    async def fleet(self) -> FleetTotals: ...

    async def users(self, page: int, limit: int) -> UserPage: ...

    async def users_total(self) -> int: ...

    async def counts(self, column: CountedBy) -> dict[str, int]:
        """Instances per value of status, region or plan."""
        ...

    async def jobs(self) -> JobCounts: ...
