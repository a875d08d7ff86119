"""The gateway's ASGI app: REST in, commands on Kafka, answers from the read models."""

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import ALL_TOPICS
from hostplane.gateway import errors, ratelimit
from hostplane.gateway.adapters.admin_views import AdminViews
from hostplane.gateway.adapters.commands import CommandBus
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.adapters.telemetry_views import TelemetryViews
from hostplane.gateway.adapters.views import Views
from hostplane.gateway.observability import RequestMetrics, request_telemetry
from hostplane.gateway.routes import (
    admin,
    config,
    health,
    instances,
    sso,
    telemetry,
    webhooks,
)
from hostplane.gateway.settings import Settings
from hostplane.messaging.kafka import ensure_topics, make_producer

log = logging.getLogger(__name__)


USED_TOKEN_SWEEP_S = 60.0
# Probes are neither timed nor traced.
UNOBSERVED = ("/api/health",)


async def _sweep_used_tokens(db: Database) -> None:
    """Keep the used-token table small; a failed sweep is tried again next round."""
    while True:
        await asyncio.sleep(USED_TOKEN_SWEEP_S)
        try:
            await db.forget_expired()
        except Exception:
            log.warning("sweeping used tokens failed", exc_info=True)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; Kafka and PostgreSQL connections open in its lifespan."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(settings.kafka_bootstrap_servers, ALL_TOPICS, settings.topic_prefix)
        producer = make_producer(settings.kafka_bootstrap_servers, client_id="gateway")
        db = Database(settings.database_url)
        await producer.start()
        await db.open()
        app.state.settings = settings
        app.state.db = db
        app.state.views = Views(db)
        app.state.admin_views = AdminViews(db)
        app.state.telemetry_views = TelemetryViews(db)
        app.state.producer = producer
        app.state.bus = CommandBus(producer, settings.topic_prefix)
        app.state.secret_box = SecretBox(settings.config_secrets_key)
        app.state.started = time.monotonic()
        # What exists now lives as long as the process: keep it out of every collection, so
        # the collector's pauses stay short (they landed in the slowest percentiles).
        gc.freeze()
        sweeping = asyncio.create_task(_sweep_used_tokens(db), name="sweep-used-tokens")
        try:
            yield
        finally:
            sweeping.cancel()
            await db.close()
            await producer.stop()

    app = FastAPI(
        title="Hostplane API",
        version=settings.version,
        description="Control plane for a VPS hosting business (OpenClaw contract, seed 000).",
        lifespan=lifespan,
        telemetry=request_telemetry(settings.otel_traces_exporter != "none", UNOBSERVED),
    )
    errors.install(app)
    ratelimit.install(app, settings)
    app.include_router(health.router)
    app.include_router(instances.router)
    app.include_router(config.router)
    app.include_router(telemetry.router)
    app.include_router(admin.router)
    app.include_router(sso.router)
    app.include_router(webhooks.router)
    # Request latency per route template; served on the metrics port, not on the API.
    app.add_middleware(RequestMetrics, excluded=UNOBSERVED)
    return app
