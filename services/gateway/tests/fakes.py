"""The gateway wired to in-memory fakes of its ports, served through FastAPI's test client;
wired by `bootstrap`, as the real adapters are."""

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import jwt
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import BaseModel

from hostplane.contracts.identity import instance_id_for, instance_token
from hostplane.contracts.secrets import SecretBox, new_key
from hostplane.contracts.telemetry import TelemetryBatch
from hostplane.contracts.topics import SUPPORT_COMMANDS, WEBHOOKS_COMMANDS, Topic
from hostplane.gateway.adapters.ratelimits import HitCounter, SignInFailures
from hostplane.gateway.application.ports import CountedBy, MetricsPeriod, UsagePeriod
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
from hostplane.gateway.bootstrap import (
    AdminAdapters,
    CloudVpsAdapters,
    Gateway,
    MPanelAdapters,
    bootstrap,
)
from hostplane.gateway.domain.pages import LogCursor
from hostplane.gateway.domain.signatures import whmcs_signature
from hostplane.gateway.entrypoints.app import create_app
from hostplane.gateway.entrypoints.cloudvps.app import create_cloudvps_app
from hostplane.gateway.entrypoints.mpanel.app import create_mpanel_app
from hostplane.gateway.settings import Settings
from hostplane.messaging.cloudevents import OutgoingEvent
from services.gateway.tests.admin_fakes import FakeAdminReads, FakeCheck, FakeHost
from services.gateway.tests.backup_fakes import FakeBackupReads
from services.gateway.tests.cloudvps_billing_fakes import FakeCustomerBillingReads
from services.gateway.tests.mpanel_billing import FakeBilling
from services.gateway.tests.mpanel_fakes import (
    FakeBillingReads,
    FakeIdempotencyKeys,
    FakeRefreshTokens,
    operator_token,
    render_pdf,
)
from services.gateway.tests.ticket_fakes import FakeTickets
from services.gateway.tests.vps_fakes import FakeVpsReads
from services.gateway.tests.webhook_fakes import FakeWebhooks

API_KEY = "unit-whmcs-api-key"
HMAC_SECRET = "unit-whmcs-hmac-secret"
JWT_SECRET = "unit-jwt-secret-at-least-32-bytes-long"
INSTANCE_SECRET = "unit-instance-token-secret"


C = TypeVar("C", bound=BaseModel)
# What the services a command goes to do with it (see `mpanel_fakes.FakeBilling`).
React = Callable[[Topic, BaseModel, UUID], None]


class FakeBroker:
    """Commands, batches and events, kept in the order they were handed over."""

    def __init__(self, react: React | None = None) -> None:
        self.commands: list[tuple[Topic, UUID, BaseModel]] = []
        self.command_ids: list[UUID] = []
        self.batches: list[TelemetryBatch] = []
        self.events: list[OutgoingEvent] = []
        self._react = react

    async def send(
        self,
        topic: Topic,
        aggregate_id: UUID,
        command: BaseModel,
        correlation_id: str | None = None,
        command_id: UUID | None = None,
    ) -> UUID:
        command_id = command_id or uuid4()
        self.commands.append((topic, aggregate_id, command))
        self.command_ids.append(command_id)
        if self._react:
            self._react(topic, command, command_id)
        return command_id

    def sent(self, kind: type[C]) -> list[C]:
        """The commands of one kind, in the order they were sent."""
        return [command for _, _, command in self.commands if isinstance(command, kind)]

    async def submit(self, batch: TelemetryBatch) -> None:
        self.batches.append(batch)

    async def publish(self, event: OutgoingEvent) -> None:
        self.events.append(event)

    async def reachable(self) -> bool:
        return True


class FakeUsedTokens:
    def __init__(self) -> None:
        self.used: set[str] = set()

    async def first_use(self, key: str, ttl_s: int) -> bool:
        fresh = key not in self.used
        self.used.add(key)
        return fresh

    async def reachable(self) -> bool:
        return True


@dataclass
class FakeReadModels:
    """The read models as rows in memory: instances, jobs and resource samples."""

    instances: dict[UUID, InstanceRow] = field(default_factory=dict)
    job: JobRow | None = None  # the outcome of every job not in `jobs`
    jobs: dict[UUID, JobRow] = field(default_factory=dict)
    samples: list[UsageSample] = field(default_factory=list)
    history_points: list[UsagePoint] = field(default_factory=list)

    async def instance(self, instance_id: UUID) -> InstanceRow | None:
        return self.instances.get(instance_id)

    async def instance_state(self, instance_id: UUID) -> InstanceState | None:
        row = self.instances.get(instance_id)
        if row is None:
            return None
        return InstanceState(
            row.id, row.whmcs_client_id, row.plan, row.status, None, row.openclaw_version
        )

    async def order_check(self, instance_id: UUID, subdomain: str) -> OrderCheck:
        existing = self.instances.get(instance_id)
        owner = next((i.id for i in self.instances.values() if i.subdomain == subdomain), None)
        return OrderCheck(existing.subdomain if existing else None, owner)

    async def wait_for_job(self, job_id: UUID, timeout_s: float) -> JobRow | None:
        if job_id in self.jobs:
            return self.jobs[job_id]
        return replace(self.job, id=job_id) if self.job else None

    async def logs(
        self,
        instance_id: UUID,
        lines: int,
        since: datetime | None,
        min_severity: int,
        before: LogCursor | None,
    ) -> list[LogRow]:
        return []

    async def usage(self, instance_id: UUID, period: UsagePeriod) -> UsageSummary:
        return UsageSummary([], [])

    async def latest_sample(self, instance_id: UUID) -> UsageSample | None:
        return self.samples[-1] if self.samples else None

    async def history(self, instance_id: UUID, period: MetricsPeriod) -> list[UsagePoint]:
        return self.history_points

    async def history_between(
        self, instance_id: UUID, start: datetime, end: datetime, step: timedelta
    ) -> list[UsagePoint]:
        return [p for p in self.history_points if start <= p.t < end]


class FakeFleet:
    def __init__(self, reads: FakeReadModels) -> None:
        self._reads = reads

    async def instances(self, filters: InstanceFilter, page: int, limit: int) -> Listing:
        rows = list(self._reads.instances.values())
        return Listing(rows, len(rows), await self.fleet())

    async def fleet(self) -> FleetTotals:
        return FleetTotals(0, 0, 0, 0.0)

    async def users(self, page: int, limit: int) -> UserPage:
        return UserPage([], 0)

    async def users_total(self) -> int:
        return 0

    async def counts(self, column: CountedBy) -> dict[str, int]:
        return {}

    async def jobs(self) -> JobCounts:
        return JobCounts(0, 0)


def an_instance(service_id: int, **changes: Any) -> InstanceRow:
    instance_id = instance_id_for(service_id)
    now = datetime.now(UTC)
    row = InstanceRow(
        id=instance_id,
        whmcs_client_id=7,
        whmcs_service_id=service_id,
        status="active",
        plan="starter",
        region="eu-frankfurt",
        ip_address="203.0.113.7",
        subdomain=f"s{service_id}",
        openclaw_version="1.2.3",
        created_at=now,
        updated_at=now,
        ready_at=now,
        hetzner_id=42,
        server_type="cx22",
        datacenter="fsn1-dc7",
        dns_record_id="rec-1",
    )
    return replace(row, **changes)


@dataclass
class Api:
    """The gateway over fakes, and a WHMCS module, a dashboard and instances calling it on
    seed 000's app (`client`), mPanel calling on its own app (`panel`), and CloudVPS's
    customers on theirs (`cloudvps`)."""

    client: TestClient
    broker: FakeBroker
    reads: FakeReadModels
    settings: Settings
    panel: TestClient
    billing: FakeBilling
    cloudvps: TestClient
    webhooks: FakeWebhooks
    vps: FakeVpsReads
    admin: AdminAdapters
    backups: FakeBackupReads = field(default_factory=FakeBackupReads)

    def whmcs(self, method: str, path: str, body: Any = None) -> Response:
        content = json.dumps(body).encode() if body is not None else b""
        stamp = str(int(time.time()))
        headers = {
            "X-API-Key": API_KEY,
            "X-Timestamp": stamp,
            "X-Signature": whmcs_signature(HMAC_SECRET, content, stamp),
            "Content-Type": "application/json",
        }
        response: Response = self.client.request(method, path, content=content, headers=headers)
        return response

    def dashboard(self, method: str, path: str, role: str = "admin", **claims: Any) -> Response:
        now = int(time.time())
        payload = {"sub": str(uuid4()), "role": role, "exp": now + 600, **claims}
        token = jwt.encode(payload, JWT_SECRET, algorithm="HS256")
        auth = {"Authorization": f"Bearer {token}"}
        response: Response = self.client.request(method, path, headers=auth)
        return response

    def operator(
        self,
        method: str,
        path: str,
        tenant_id: UUID,
        roles: tuple[str, ...] = ("admin",),
        user_id: UUID | None = None,
        **kwargs: Any,
    ) -> Response:
        """A call on mPanel's app by a signed-in operator of `tenant_id` with `roles`."""
        token = operator_token(JWT_SECRET, tenant_id, list(roles), user_id)
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        response: Response = self.panel.request(method, path, headers=headers, **kwargs)
        return response

    def instance(self, method: str, instance_id: UUID, path: str, body: Any) -> Response:
        token = instance_token(INSTANCE_SECRET, instance_id)
        auth = {"Authorization": f"Bearer {token}"}
        response: Response = self.client.request(method, path, json=body, headers=auth)
        return response


def unit_settings(**overrides: Any) -> Settings:
    return Settings(
        whmcs_api_key=API_KEY,
        whmcs_hmac_secret=HMAC_SECRET,
        jwt_secret=JWT_SECRET,
        instance_token_secret=INSTANCE_SECRET,
        config_secrets_key=new_key(),
        job_wait_s=0.0,
        # Each test's limits are its own: never a Redis that REDIS_URL may name.
        redis_url="",
        **overrides,
    )


def serve(settings: Settings) -> Iterator[Api]:
    """Every surface's app on one gateway over one set of fakes, as `__main__` serves them."""
    reads = FakeReadModels()
    billing = FakeBilling(
        FakeBillingReads(), reads.jobs, box=SecretBox(settings.config_secrets_key)
    )
    webhooks, vps = FakeWebhooks(), FakeVpsReads()
    tickets = FakeTickets(reads.jobs)
    backups = FakeBackupReads()

    def react(topic: Topic, command: BaseModel, command_id: UUID) -> None:
        if topic == WEBHOOKS_COMMANDS:
            webhooks.react(command, command_id)
        elif topic == SUPPORT_COMMANDS:
            tickets.react(command, command_id)
        else:
            billing.react(topic, command, command_id)

    broker, tokens = FakeBroker(react), FakeUsedTokens()
    checks = {"hetzner": FakeCheck(), "stripe": FakeCheck()}
    admin = AdminAdapters(FakeAdminReads(billing.reads, vps), dict(checks), FakeHost())
    gateway = bootstrap(
        settings,
        used_tokens=tokens,
        commands=broker,
        database=tokens,
        instance_reads=reads,
        telemetry_reads=reads,
        fleet_reads=FakeFleet(reads),
        mpanel=MPanelAdapters(billing.reads, FakeIdempotencyKeys(), render_pdf),
        admin=admin,
        cloudvps=CloudVpsAdapters(
            billing.reads,
            FakeRefreshTokens(),
            SignInFailures(
                HitCounter(),
                settings.cloudvps_sign_in_failures,
                settings.cloudvps_sign_in_failures_ip,
            ),
            webhooks,
            vps,
            network=vps,
            billing=FakeCustomerBillingReads(billing.reads.rows),
            backups=backups,
            tickets=tickets,
        ),
    )

    @asynccontextmanager
    async def wired(settings: Settings) -> AsyncIterator[Gateway]:
        yield gateway

    with (
        TestClient(create_app(settings, wiring=wired)) as client,
        TestClient(create_mpanel_app(settings, wiring=wired)) as panel,
        TestClient(create_cloudvps_app(settings, wiring=wired)) as cloudvps,
    ):
        yield Api(
            client, broker, reads, settings, panel, billing, cloudvps, webhooks, vps, admin, backups
        )
