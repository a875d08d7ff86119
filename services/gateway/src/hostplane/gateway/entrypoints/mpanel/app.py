"""mPanel's ASGI app (seed 002): its own routes, error body, rate-limit buckets and OpenAPI
document, on the same use cases as seed 000's app (one wiring serves both)."""

from fastapi import FastAPI

from hostplane.gateway import bootstrap
from hostplane.gateway.adapters.ratelimits import HitCounter
from hostplane.gateway.domain.mpanel.tokens import token_subject
from hostplane.gateway.entrypoints.app import GatewayApi, Wiring, wired
from hostplane.gateway.entrypoints.mpanel import errors, openapi
from hostplane.gateway.entrypoints.mpanel.bodylimit import BodyLimit
from hostplane.gateway.entrypoints.mpanel.routes import (
    audit,
    auth,
    cloudpods,
    coupons,
    customers,
    invoices,
    jobs,
    orders,
    payments,
    products,
    status,
    subscriptions,
    tenants,
    users,
)
from hostplane.gateway.entrypoints.observability import RequestMetrics, request_telemetry
from hostplane.gateway.entrypoints.ratelimit import RateLimitMiddleware, RateLimits
from hostplane.gateway.settings import Settings

UNOBSERVED = ("/api/health",)
ROUTERS = [
    r.router
    for r in (
        status,
        auth,
        tenants,
        users,
        customers,
        products,
        coupons,
        orders,
        invoices,
        payments,
        subscriptions,
        cloudpods,
        jobs,
        audit,
    )
]


def create_mpanel_app(
    settings: Settings | None = None,
    wiring: Wiring = bootstrap.running,
    counter: HitCounter | None = None,
) -> FastAPI:
    """Build mPanel's app; `wiring` connects the use cases to their adapters in its lifespan
    (give both apps one wiring to share one Kafka producer and one PostgreSQL pool)."""
    settings = settings or Settings()
    app = GatewayApi(
        settings,
        ROUTERS,
        document=openapi.exact,
        title="mPanel API",
        version=settings.version,
        description="Hosting billing and CloudPods for mPanel (seed 002), under /api.",
        lifespan=wired(settings, wiring),
        telemetry=request_telemetry(settings.otel_traces_exporter != "none", UNOBSERVED),
    )
    errors.install(app)
    limits = RateLimits(
        settings,
        counter or bootstrap.hit_counter(settings),
        subject=lambda token: token_subject(settings.jwt_secret, token),
        prefix="mpanel:",
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, limits=limits, refuse=errors.rate_limited)
    app.add_middleware(RequestMetrics, excluded=UNOBSERVED, surface="mpanel")
    return app
