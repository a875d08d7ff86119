"""Traces, Prometheus metrics and JSON logs, set up the same way in every process.

Traces follow a request from the gateway through Kafka (`traceparent`) into every consumer,
database statement and provider call. Each process serves its metrics and its health (see
`hostplane.messaging.health`) on a port of its own.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import prometheus_client
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from opentelemetry.trace import SpanKind
from pythonjsonlogger.json import JsonFormatter

from hostplane.contracts.envelope import TRACEPARENT
from hostplane.messaging import health
from hostplane.messaging.cloudevents import header

Exporter = Literal["none", "console", "otlp"]
LogFormat = Literal["json", "text"]

tracer = trace.get_tracer("hostplane")

PROVIDER_REQUESTS = prometheus_client.Counter(
    "hostplane_provider_requests_total",
    "Calls to a cloud or DNS provider, by outcome",
    ["provider", "method", "status"],
)
PROVIDER_LATENCY = prometheus_client.Histogram(
    "hostplane_provider_request_duration_seconds",
    "How long provider calls take",
    ["provider", "method"],
)


def record_provider_call(provider: str, method: str, status: str, seconds: float) -> None:
    """Count one call to a provider and how long it took."""
    PROVIDER_REQUESTS.labels(provider, method, status).inc()
    PROVIDER_LATENCY.labels(provider, method).observe(seconds)


def configure_observability(
    service: str,
    *,
    log_level: str = "INFO",
    log_format: LogFormat = "json",
    traces_exporter: Exporter = "none",
    metrics_port: int = 0,
    metrics_host: str = "127.0.0.1",
) -> None:
    """Logging, tracing, and the metrics listener (`/metrics`, `/health/live`,
    `/health/ready`) for the process named `service`."""
    configure_tracing(service, traces_exporter)
    configure_logging(log_level, log_format)
    if metrics_port:
        health.serve(metrics_host, metrics_port)


def configure_tracing(service: str, exporter: Exporter) -> None:
    """A tracer provider for `service`; the OTLP exporter reads the standard OTEL_* variables.

    Sampling follows `OTEL_TRACES_SAMPLER` (the SDK's default: every trace). Without an
    exporter this process starts no traces of its own but still carries sampled ones on (its
    request and message spans), so a downstream service that exports sees whole traces, and
    unsampled spans cost next to nothing.
    """
    span_exporter = _exporter(exporter)
    sampler = None if span_exporter is not None else ParentBased(ALWAYS_OFF)
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"hostplane-{service}"}), sampler=sampler
    )
    trace.set_tracer_provider(provider)
    if span_exporter is None:
        return
    provider.add_span_processor(BatchSpanProcessor(span_exporter))
    # Statement and provider-call spans end where they start: only worth making when exported.
    PsycopgInstrumentor().instrument(skip_dep_check=True)
    RequestsInstrumentor().instrument()
    HTTPXClientInstrumentor().instrument()


def _exporter(kind: Exporter) -> SpanExporter | None:
    if kind == "console":
        return ConsoleSpanExporter(formatter=lambda span: span.to_json(indent=None) + "\n")
    if kind == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    return None


class TraceContext(logging.Filter):
    """Stamps each record with the trace and span active where it was logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x") if context.is_valid else None
        record.span_id = format(context.span_id, "016x") if context.is_valid else None
        return True


def configure_logging(level: str, log_format: LogFormat = "json") -> None:
    """One line per record; each carries the trace and span it belongs to."""
    handler = logging.StreamHandler()
    handler.addFilter(TraceContext())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{trace_id}{span_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(trace_id)s]: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the active span, if there is one."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_of(traceparent: str | None) -> Context | None:
    return propagate.extract({TRACEPARENT: traceparent}) if traceparent else None


@contextmanager
def publishing(topic: str, parent: str | None = None) -> Iterator[list[tuple[str, bytes]]]:
    """A producer span for one message; yields the headers that carry it to the consumer."""
    with tracer.start_as_current_span(
        f"{topic} publish",
        context=context_of(parent),
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": topic},
    ):
        traceparent = current_traceparent()
        yield [(TRACEPARENT, traceparent.encode())] if traceparent else []


@contextmanager
def consuming(record: Any) -> Iterator[None]:
    """A consumer span for one record of a batch, continuing the trace it was published in."""
    with tracer.start_as_current_span(
        f"{record.topic} process",
        context=context_of(header(record.headers, TRACEPARENT)),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": record.topic,
            "messaging.kafka.message.offset": record.offset,
        },
    ):
        yield
