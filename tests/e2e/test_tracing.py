"""Tracing: one order is one trace, from the HTTP request through every service it reaches.

The services export OTLP over HTTP to a collector this test runs; the trace of the
`POST /api/instances` request must hold spans of all four services.
"""

import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.conftest import Infra, wait_until
from tests.e2e.conftest import Stack, free_port, running_stack
from tests.e2e.whmcs import Whmcs

SERVICES = {"hostplane-gateway", "hostplane-provisioning", "hostplane-dns", "hostplane-metrics"}


@dataclass
class Collector:
    """Spans received, by trace id: (service, span name)."""

    traces: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        with self.lock:
            for resource_spans in request.resource_spans:
                service = next(
                    a.value.string_value
                    for a in resource_spans.resource.attributes
                    if a.key == "service.name"
                )
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        self.traces[span.trace_id.hex()].append((service, span.name))

    def trace_of(self, span_name: str) -> list[tuple[str, str]]:
        with self.lock:
            for spans in self.traces.values():
                if any(name == span_name for _, name in spans):
                    return list(spans)
        return []


@pytest.fixture(scope="module")
def collector() -> Iterator[tuple[Collector, str]]:
    received = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.receive(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def traced_stack(infra: Infra, collector: tuple[Collector, str]) -> Iterator[Stack]:
    with running_stack(
        infra,
        "trace",
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT=collector[1],
        OTEL_BSP_SCHEDULE_DELAY="200",
    ) as running:
        yield running


def test_an_order_is_one_trace_across_every_service(
    traced_stack: Stack, collector: tuple[Collector, str]
) -> None:
    received, _ = collector
    whmcs = Whmcs(traced_stack.gateway_url)
    created = whmcs.create(
        whmcs_service_id=880001,
        whmcs_client_id=88,
        plan="starter",
        region="eu-frankfurt",
        email="traced@example.com",
        hostname="traced",
    )
    assert created.status_code == 201, created.text

    def whole_trace() -> list[tuple[str, str]]:
        spans = received.trace_of("POST /api/instances")
        return spans if {service for service, _ in spans} >= SERVICES else []

    spans = wait_until(whole_trace, 60, interval=0.5, what="spans from all four services")
    names = {name for _, name in spans}
    # The gateway's request and the Kafka hops of the instance's events are in it.
    assert "POST /api/instances" in names
    assert any(name.endswith("vps.events process") for name in names)
