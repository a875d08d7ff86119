"""The gateway's ASGI app: REST in, commands on Kafka, answers from the read models."""

import gc
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from hostplane.gateway import bootstrap
from hostplane.gateway.adapters.ratelimits import HitCounter
from hostplane.gateway.bootstrap import Gateway
from hostplane.gateway.entrypoints import asyncapi, errors, openapi
from hostplane.gateway.entrypoints.observability import RequestMetrics, request_telemetry
from hostplane.gateway.entrypoints.ratelimit import RateLimitMiddleware, RateLimits
from hostplane.gateway.entrypoints.routes import (
    admin,
    config,
    health,
    instances,
    sso,
    telemetry,
    webhooks,
)
from hostplane.gateway.settings import Settings

# Probes are neither timed nor traced.
UNOBSERVED = ("/api/health", *health.PROBE_PATHS)
ROUTERS = [
    *(r.router for r in (health, instances, config, telemetry, admin, sso, webhooks)),
    health.probes,
]

Wiring = Callable[[Settings], AbstractAsyncContextManager[Gateway]]
# Makes FastAPI's OpenAPI document exact for a surface's routes.
Document = Callable[[dict[str, Any], Sequence[APIRoute], Settings], dict[str, Any]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


class GatewayApi(FastAPI):
    """FastAPI serving the API's routers, with an OpenAPI document that says exactly what
    each route answers."""

    def __init__(
        self,
        settings: Settings,
        routers: Sequence[APIRouter],
        document: Document = openapi.exact,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.document = document
        self.api_routes: list[APIRoute] = []
        for router in routers:
            self.include_router(router)
            self.api_routes += [r for r in router.routes if isinstance(r, APIRoute)]

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document = super().openapi()
            self.openapi_schema = self.document(document, self.api_routes, self.settings)
        return self.openapi_schema


def wired(settings: Settings, wiring: Wiring) -> Lifespan:
    """A lifespan serving the use cases `wiring` connects to their adapters."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with wiring(settings) as gateway:
            app.state.gateway = gateway
            health.watch_gateway(settings)
            # What exists now lives as long as the process: keep it out of every collection,
            # so the collector's pauses stay short (they landed in the slowest percentiles).
            gc.freeze()
            yield

    return lifespan


def create_app(
    settings: Settings | None = None,
    wiring: Wiring = bootstrap.running,
    counter: HitCounter | None = None,
) -> FastAPI:
    """Build the app; `wiring` connects the use cases to their adapters in its lifespan."""
    settings = settings or Settings()
    app = GatewayApi(
        settings,
        ROUTERS,
        title="Hostplane API",
        version=settings.version,
        description="Control plane for a VPS hosting business (OpenClaw contract, seed 000).",
        lifespan=wired(settings, wiring),
        telemetry=request_telemetry(settings.otel_traces_exporter != "none", UNOBSERVED),
    )
    errors.install(app)
    asyncapi.install(app)
    limits = RateLimits(settings, counter or bootstrap.hit_counter(settings))
    app.add_middleware(RateLimitMiddleware, limits=limits)
    # Request latency per route template; served on the metrics port, not on the API.
    app.add_middleware(RequestMetrics, excluded=UNOBSERVED)
    return app
