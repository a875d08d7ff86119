"""The gateway's request span and its Prometheus request metrics, both per route template.

Both are pure ASGI and do no route matching of their own: the span starts named after the
method and is renamed once the router has found the route.
"""

import time
from typing import Any

import prometheus_client
from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = prometheus_client.Counter(
    "http_requests_total", "Requests answered, by route template", ["method", "handler", "status"]
)
DURATION = prometheus_client.Histogram(
    "http_request_duration_seconds",
    "Time from request to the start of the answer, by route template",
    ["method", "handler"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def tracing(app: ASGIApp, excluded: str) -> OpenTelemetryMiddleware:
    """A server span per request (continuing an incoming `traceparent`)."""
    return OpenTelemetryMiddleware(app, excluded_urls=excluded, default_span_details=_method)


def _method(scope: Scope) -> tuple[str, dict[str, Any]]:
    return scope.get("method", "HTTP"), {}


class RequestMetrics:
    """Counts and times requests; names the request span after the route that served it."""

    def __init__(self, app: ASGIApp, excluded: tuple[str, ...] = ()) -> None:
        self._app = app
        self._excluded = excluded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._excluded:
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        # The span may end with the answer, so it is named when the answer starts.
        span = trace.get_current_span()

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                handler = _handler(scope)
                DURATION.labels(scope["method"], handler).observe(time.perf_counter() - started)
                _name(span, scope["method"], handler)
            await send(message)

        try:
            await self._app(scope, receive, observed)
        finally:
            handler = _handler(scope)
            REQUESTS.labels(scope["method"], handler, str(status)).inc()
            _name(span, scope["method"], handler)  # an error answered further out


def _name(span: trace.Span, method: str, handler: str) -> None:
    if span.is_recording():
        span.update_name(f"{method} {handler}")
        span.set_attribute("http.route", handler)


def _handler(scope: Scope) -> str:
    # The template, never the raw path: ids in label values would grow without bound.
    return getattr(scope.get("route"), "path", None) or "unmatched"
