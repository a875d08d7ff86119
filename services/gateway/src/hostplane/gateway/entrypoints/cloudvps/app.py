"""CloudVPS Pro's ASGI app (seed 003): its routes under /api/v1, its envelope, its limit of
requests per client address, and its OpenAPI document, on the same use cases as the other
surfaces (one wiring serves every listener)."""

from fastapi import FastAPI

from hostplane.gateway import bootstrap
from hostplane.gateway.adapters.ratelimits import HitCounter
from hostplane.gateway.domain.cloudvps.tokens import token_subject
from hostplane.gateway.entrypoints.app import GatewayApi, Wiring, wired
from hostplane.gateway.entrypoints.cloudvps import errors, openapi
from hostplane.gateway.entrypoints.cloudvps.bodylimits import TICKETS, BodyLimits, ticket_body_bytes
from hostplane.gateway.entrypoints.cloudvps.routes import (
    admin,
    admin_webhooks,
    auth,
    backups,
    billing,
    monitoring,
    network,
    orders,
    plans,
    tickets,
    users,
    vps,
)
from hostplane.gateway.entrypoints.observability import RequestMetrics, request_telemetry
from hostplane.gateway.entrypoints.ratelimit import RateLimitMiddleware, RateLimits
from hostplane.gateway.settings import Settings

ROUTERS = [
    r.router
    for r in (
        auth,
        users,
        orders,
        vps,
        network,
        backups,
        monitoring,
        plans,
        billing,
        admin_webhooks,
        admin,
        tickets,
    )
]


def create_cloudvps_app(
    settings: Settings | None = None,
    wiring: Wiring = bootstrap.running,
    counter: HitCounter | None = None,
) -> FastAPI:
    """Build CloudVPS's app; `wiring` connects the use cases to their adapters in its
    lifespan (give every app one wiring to share one producer and one pool)."""
    settings = settings or Settings()
    app = GatewayApi(
        settings,
        ROUTERS,
        document=openapi.exact,
        title="CloudVPS Pro API",
        version=settings.version,
        description="The customer VPS API of CloudVPS Pro (seed 003), under /api/v1.",
        lifespan=wired(settings, wiring),
        telemetry=request_telemetry(settings.otel_traces_exporter != "none", ()),
    )
    errors.install(app)
    limits = RateLimits(
        settings,
        counter or bootstrap.hit_counter(settings),
        subject=lambda token: token_subject(settings.jwt_secret, token),
        prefix="cloudvps:",
        per_ip=settings.rate_limit_cloudvps_ip,
    )
    app.add_middleware(
        BodyLimits,
        max_bytes=settings.max_body_bytes,
        larger={TICKETS: ticket_body_bytes(settings)},
    )
    app.add_middleware(RateLimitMiddleware, limits=limits, refuse=errors.rate_limited)
    app.add_middleware(RequestMetrics, surface="cloudvps")
    return app
