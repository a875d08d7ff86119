"""webhook_deliveries: Hostplane's events through the webhooks dispatcher to a receiver.

The platform's admin registers one endpoint (`vps.*`, `invoice.*`, `payment.*`) through
CloudVPS's admin API, at a receiver this scenario serves on 127.0.0.1; the receiver checks
both signatures of every request and answers 500 to 1 % of them, at random. Then the other
services stop, and `vps.*`, `invoice.*` and `payment.*` events are published straight to
`vps.events` and `invoice.events` as the outbox relays publish them, spread over many
instances and invoices. Measured: the event → first attempt latency on an open loop below
capacity, and for a burst, deliveries per second until every event has been answered with a
2xx at least once (failures retried on the dispatcher's schedule, after about 5 s).
"""

import asyncio
import os
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import uvicorn

from bench.common import Result, Target, percentile, stack
from bench.seed import SourceEvent, WebhookSources
from hostplane.contracts.topics import ALL_TOPICS
from hostplane.messaging.kafka import ensure_topics
from hostplane.messaging.producer import Producer
from hostplane.webhooks.application.service import delivery_id
from hostplane.webhooks.domain.signing import (
    SEED_SIGNATURE,
    WEBHOOK_ID,
    verify_seed,
    verify_standard,
)
from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Stack, free_port

BURST = 20_000
PACED = 3_000
PACED_RATE = 200.0
WARMUP = 500
VPS_KEYS = 2_000
INVOICE_KEYS = 1_000
FAILING = 0.01
EVENTS = ["vps.*", "invoice.*", "payment.*"]


def run() -> Result:
    receiver = Receiver(random.Random(3))
    with (
        stack(
            "webhook_deliveries",
            only=("gateway", "billing", "metrics", "webhooks"),
            WEBHOOKS_POLL_S="1",
        ) as hostplane,
        serving(receiver) as url,
    ):
        endpoint = register(hostplane, url, receiver)
        for name in ("gateway", "billing", "metrics"):
            hostplane.processes.kill(name)  # the dispatcher alone beside the receiver
        sources = WebhookSources("bench-webhooks", VPS_KEYS, INVOICE_KEYS)
        publish = Publisher(hostplane, sources, endpoint)
        asyncio.run(publish.introduce_customers())
        receiver.wait_processed(asyncio.run(publish.paced(WARMUP, PACED_RATE)), 120)
        paced = asyncio.run(publish.paced(PACED, PACED_RATE))
        receiver.wait_processed(paced, 300)
        attempts_before = receiver.requests
        service = hostplane.processes.running["webhooks"].pid
        cpu_before = cpu_seconds(service), time.process_time()
        burst = asyncio.run(publish.burst(BURST))
        receiver.wait_processed(burst, 900)
        cpu = cpu_seconds(service) - cpu_before[0], time.process_time() - cpu_before[1]
    first_sent = min(burst.values())
    span_s = max(receiver.processed_at[d] for d in burst) - first_sent
    paced_latency = receiver.first_attempt_latencies(paced)
    burst_latency = receiver.first_attempt_latencies(burst)
    figures: dict[str, Any] = {
        "paced_events": PACED,
        "paced_rate_per_s": PACED_RATE,
        "paced_event_to_first_attempt_p50_ms": percentile(paced_latency, 50) * 1000,
        "paced_event_to_first_attempt_p99_ms": percentile(paced_latency, 99) * 1000,
        "burst_events": BURST,
        "burst_seconds_until_all_delivered": span_s,
        "burst_deliveries_per_s": BURST / span_s,
        "burst_attempts_per_s": (receiver.requests - attempts_before) / span_s,
        "burst_event_to_first_attempt_p50_ms": percentile(burst_latency, 50) * 1000,
        "burst_cpu_ms_per_delivery": {
            "webhooks": cpu[0] * 1000 / BURST,
            "bench (publisher, receiver)": cpu[1] * 1000 / BURST,
        },
        "answered_500": receiver.failed,
        "bad_signatures": receiver.bad_signatures,
        "duplicates": receiver.duplicates(),
        "out_of_order": publish.out_of_order(receiver),
    }
    targets = [
        Target("deliveries/s (burst)", figures["burst_deliveries_per_s"], 500.0),
        Target(
            f"p99 event→first attempt at {PACED_RATE:.0f}/s (ms)",
            figures["paced_event_to_first_attempt_p99_ms"],
            200.0,
            higher_is_better=False,
        ),
        Target("bad signatures", receiver.bad_signatures, 0, higher_is_better=False),
        Target("duplicate deliveries", figures["duplicates"], 0, higher_is_better=False),
        Target("deliveries out of order", figures["out_of_order"], 0, higher_is_better=False),
    ]
    settings = {
        "endpoint": f"one, subscribed to {', '.join(EVENTS)}",
        "keys": f"{VPS_KEYS} instances, {INVOICE_KEYS} invoices (two events of three a VPS's)",
        "warmup_events": f"{WARMUP} at the paced rate, not counted",
        "receiver": "uvicorn (httptools, uvloop) in the bench process: verifies both "
        f"signatures, answers 500 to {FAILING:.0%} of requests at random, else 204",
        "services": "webhooks alone once the endpoint is registered (gateway, billing and "
        "metrics stopped); WEBHOOKS_POLL_S=1, WEBHOOKS_CONCURRENCY default",
        "publisher": "hostplane.messaging.producer (idempotent, acks=all), as outbox relays",
        "event_time": "when the event was handed to the producer",
        "delivered": "the first 2xx answer for the event's webhook-id",
    }
    return Result("webhook_deliveries", figures, settings, targets)


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def register(hostplane: Stack, url: str, receiver: "Receiver") -> UUID:
    """The admin's endpoint for `vps.*`, `invoice.*` and `payment.*` at the receiver."""
    login(hostplane)  # the first admin exists once billing has published it
    base = f"{hostplane.cloudvps_url}/api/v1"
    token = httpx.post(
        f"{base}/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=30,
    ).json()["data"]["token"]
    created = httpx.post(
        f"{base}/admin/webhooks",
        json={"url": url, "events": EVENTS},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    created.raise_for_status()
    endpoint = created.json()["data"]
    receiver.secret = endpoint["secret"]
    return UUID(endpoint["id"])


@dataclass
class Publisher:
    """Publishes source events; remembers when each was sent, and its key and version."""

    hostplane: Stack
    sources: WebhookSources
    endpoint: UUID
    keyed: dict[UUID, tuple[UUID, int]] = field(default_factory=dict)

    async def paced(self, count: int, rate: float) -> dict[UUID, float]:
        """`count` events at `rate` a second (open loop); delivery id → time sent."""
        return await self._publish(count, rate)

    async def burst(self, count: int) -> dict[UUID, float]:
        """`count` events as fast as the producer takes them."""
        return await self._publish(count, None)

    async def introduce_customers(self) -> None:
        """Billing's customer events for the invoices' customers, published first."""
        producer = Producer(self.hostplane.kafka_bootstrap_servers, "bench-customers")
        await producer.start()
        try:
            prefix = self.hostplane.topic_prefix
            sent = [
                await producer.send(prefix + out.topic.name, out.value, out.key, out.headers)
                for out in (e.outgoing for e in self.sources.customers(datetime.now(UTC)))
            ]
            await asyncio.gather(*sent)
        finally:
            await producer.stop()

    async def _publish(self, count: int, rate: float | None) -> dict[UUID, float]:
        prefix = self.hostplane.topic_prefix
        await ensure_topics(self.hostplane.kafka_bootstrap_servers, ALL_TOPICS, prefix)
        producer = Producer(self.hostplane.kafka_bootstrap_servers, "bench-webhooks")
        await producer.start()
        sent: dict[UUID, float] = {}
        pending = []
        try:
            start = time.monotonic()
            for n in range(count):
                if rate:
                    await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
                event = self.sources.next(datetime.now(UTC))
                sent[self._track(event)] = time.time()
                out = event.outgoing
                pending.append(
                    await producer.send(prefix + out.topic.name, out.value, out.key, out.headers)
                )
            await asyncio.gather(*pending)
        finally:
            await producer.stop()
        return sent

    def _track(self, event: SourceEvent) -> UUID:
        delivery = delivery_id(self.endpoint, event.ce_id)
        self.keyed[delivery] = (event.outgoing.aggregate_id, event.outgoing.version)
        return delivery

    def out_of_order(self, receiver: "Receiver") -> int:
        """Events first attempted before the previous event of their key was delivered."""
        by_key: dict[UUID, list[tuple[int, UUID]]] = {}
        for delivery, (key, version) in self.keyed.items():
            by_key.setdefault(key, []).append((version, delivery))
        late = 0
        for versions in by_key.values():
            ordered = [d for _, d in sorted(versions)]
            for before, after in pairwise(ordered):
                if receiver.first_seen[after] < receiver.processed_at[before]:
                    late += 1
        return late


@dataclass
class Receiver:
    """An endpoint that checks both signatures, fails some answers, and counts what came."""

    rng: random.Random
    secret: str = ""
    first_seen: dict[UUID, float] = field(default_factory=dict)
    processed_at: dict[UUID, float] = field(default_factory=dict)
    answered_ok: dict[UUID, int] = field(default_factory=dict)
    requests: int = 0
    failed: int = 0
    bad_signatures: int = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        at = time.time()
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        delivery = UUID(headers[WEBHOOK_ID])
        seed_ok = verify_seed(body, headers.get(SEED_SIGNATURE.lower(), ""), self.secret)
        standard_ok = verify_standard(body, headers, [self.secret], datetime.now(UTC))
        self.requests += 1
        self.first_seen.setdefault(delivery, at)
        status = 500 if self.rng.random() < FAILING else 204
        if not (seed_ok and standard_ok):
            self.bad_signatures += 1
            status = 401
        if status == 204:
            self.processed_at.setdefault(delivery, time.time())
            self.answered_ok[delivery] = self.answered_ok.get(delivery, 0) + 1
        else:
            self.failed += 1
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def wait_processed(self, deliveries: dict[UUID, float], timeout_s: float) -> None:
        wait_until(
            lambda: all(d in self.processed_at for d in deliveries),
            timeout_s,
            0.2,
            what=f"{len(deliveries)} deliveries answered with a 2xx",
        )

    def first_attempt_latencies(self, deliveries: dict[UUID, float]) -> list[float]:
        return [self.first_seen[d] - sent for d, sent in deliveries.items()]

    def duplicates(self) -> int:
        """Deliveries answered with a 2xx more than once (a receiver drops them by id)."""
        return sum(n - 1 for n in self.answered_ok.values() if n > 1)


@contextmanager
def serving(receiver: Receiver) -> Iterator[str]:
    """Serve `receiver` on 127.0.0.1 in a thread of its own; yields its URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            receiver,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            http="httptools",
            loop="uvloop",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 10, what="the receiver to listen")
    try:
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
