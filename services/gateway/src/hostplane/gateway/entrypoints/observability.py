"""The gateway's Prometheus request metrics and its request span settings, per route template.

The metrics middleware is pure ASGI and matches no routes of its own: it reads the route the
router found. The request span is FastAPI's own (`telemetry=`), named after that route too.
"""

import time

import prometheus_client
from fastapi.telemetry import TelemetryConfig
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


def request_telemetry(traced: bool, excluded: tuple[str, ...]) -> TelemetryConfig:
    """A server span per request (continuing an incoming `traceparent`), nothing finer.

    Without an exporter the gateway starts no trace: commands still carry a `traceparent`
    for log lines. Request metrics are Prometheus's (`RequestMetrics`), logs are our own.
    """
    return {
        "tracing": traced,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        "exclude": lambda scope: scope.get("path") in excluded,
    }


class RequestMetrics:
    """Counts and times requests by the route that served them."""

    def __init__(self, app: ASGIApp, excluded: tuple[str, ...] = (), surface: str = "") -> None:
        self._app = app
        self._excluded = excluded
        # Both surfaces serve `/api/...` templates: another surface's are labelled by name.
        self._surface = f"{surface}:" if surface else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._excluded:
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                DURATION.labels(scope["method"], self._handler(scope)).observe(
                    time.perf_counter() - started
                )
            await send(message)

        try:
            await self._app(scope, receive, observed)
        finally:
            REQUESTS.labels(scope["method"], self._handler(scope), str(status)).inc()

    def _handler(self, scope: Scope) -> str:
        return self._surface + _handler(scope)


def _handler(scope: Scope) -> str:
    # The template, never the raw path: ids in label values would grow without bound.
    return getattr(scope.get("route"), "path", None) or "unmatched"
