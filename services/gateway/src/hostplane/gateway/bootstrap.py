"""Wiring: settings → adapters → the use cases the HTTP entrypoints call.

`bootstrap` only wires; `running` also opens the real adapters (Kafka, PostgreSQL) for as long
as the app serves. Tests wire fakes through `bootstrap` the same way.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import ALL_TOPICS
from hostplane.gateway.adapters.admin_views import AdminViews
from hostplane.gateway.adapters.commands import CommandBus
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.adapters.ratelimits import HitCounter, redis_limiter
from hostplane.gateway.adapters.telemetry_views import TelemetryViews
from hostplane.gateway.adapters.views import Views
from hostplane.gateway.application.authentication import Authentication
from hostplane.gateway.application.fleet import Fleet
from hostplane.gateway.application.health import Health
from hostplane.gateway.application.instances import Instances
from hostplane.gateway.application.jobs import Jobs
from hostplane.gateway.application.ports import (
    CommandPublisher,
    FleetReads,
    InstanceReads,
    Reachable,
    TelemetryReads,
    UsedTokens,
)
from hostplane.gateway.application.signon import SignOn
from hostplane.gateway.application.telemetry import Telemetry
from hostplane.gateway.application.webhooks import Webhooks
from hostplane.gateway.settings import Settings
from hostplane.messaging.kafka import ensure_topics, make_producer

log = logging.getLogger(__name__)

USED_TOKEN_SWEEP_S = 60.0


@dataclass(frozen=True)
class Gateway:
    """What the HTTP entrypoints use: the settings and the use cases."""

    settings: Settings
    authentication: Authentication
    health: Health
    instances: Instances
    sign_on: SignOn
    webhooks: Webhooks
    telemetry: Telemetry
    fleet: Fleet


def bootstrap(
    settings: Settings,
    *,
    used_tokens: UsedTokens,
    commands: CommandPublisher,
    database: Reachable,
    instance_reads: InstanceReads,
    telemetry_reads: TelemetryReads,
    fleet_reads: FleetReads,
) -> Gateway:
    """The use cases on the given adapters."""
    jobs = Jobs(instance_reads, commands, settings.job_wait_s)
    return Gateway(
        settings=settings,
        authentication=Authentication(settings, used_tokens),
        health=Health(database, commands),
        instances=Instances(
            settings, instance_reads, commands, jobs, SecretBox(settings.config_secrets_key)
        ),
        sign_on=SignOn(settings, commands, used_tokens),
        webhooks=Webhooks(commands),
        telemetry=Telemetry(settings, instance_reads, telemetry_reads, commands),
        fleet=Fleet(fleet_reads),
    )


def hit_counter(settings: Settings) -> HitCounter:
    """Rate-limit counts: shared in Redis when REDIS_URL is set, else this process's own."""
    if not settings.redis_url:
        return HitCounter()
    return HitCounter(redis_limiter(settings.redis_url, settings.topic_prefix))


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Gateway]:
    """The gateway on Kafka and PostgreSQL, connected until the context ends."""
    await ensure_topics(settings.kafka_bootstrap_servers, ALL_TOPICS, settings.topic_prefix)
    producer = make_producer(settings.kafka_bootstrap_servers, client_id="gateway")
    db = Database(settings.database_url)
    await producer.start()
    await db.open()
    prices = {plan: spec.monthly_price_usd for plan, spec in settings.plans.items()}
    gateway = bootstrap(
        settings,
        used_tokens=db,
        commands=CommandBus(producer, settings.topic_prefix),
        database=db,
        instance_reads=Views(db),
        telemetry_reads=TelemetryViews(db),
        fleet_reads=AdminViews(db, prices),
    )
    sweeping = asyncio.create_task(_sweep_used_tokens(db), name="sweep-used-tokens")
    try:
        yield gateway
    finally:
        sweeping.cancel()
        await db.close()
        await producer.stop()


async def _sweep_used_tokens(db: Database) -> None:
    """Keep the used-token table small; a failed sweep is tried again next round."""
    while True:
        await asyncio.sleep(USED_TOKEN_SWEEP_S)
        try:
            await db.forget_expired()
        except Exception:
            log.warning("sweeping used tokens failed", exc_info=True)
