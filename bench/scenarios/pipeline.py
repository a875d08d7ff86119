"""pipeline: orders through gateway, Kafka, provisioning, DNS and metrics until `active`.

cloudsim answers at once and boots in no time, so what is measured is Hostplane. An open
loop at 20 orders/s gives create→active latency; then a burst of orders gives sustained
creations per second and events per second through the whole pipeline.
"""

import asyncio
import json
import time
from datetime import datetime

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer

from bench.common import Result, Target, percentile, stack
from bench.seed import order
from hostplane.contracts.topics import ALL_TOPICS
from hostplane.gateway.entrypoints.sign import signed_headers
from tests.stack import API_KEY, HMAC_SECRET, Stack

ORDERS = 500
# Orders at the paced rate before anything is measured: the first of a fresh stack meet
# cold connections, caches and consumer fetch sessions.
WARMUP_ORDERS = 40
PACED_RATE = 20.0
ORDER_ATTEMPTS = 3
BURST_RATE = 500.0
ZERO_LATENCY = {
    "CLOUDSIM_BOOT_DELAY": "0",
    "CLOUDSIM_ACTION_DELAY": "0",
    # Boots are instant: one batched poll a second finds them done.
    "PROVIDER_POLL_INTERVAL_S": "1",
    "METRICS_INTERVAL_S": "0",
}


def run() -> Result:
    with stack("pipeline", **ZERO_LATENCY) as hostplane:
        wait_active(
            hostplane, asyncio.run(send_orders(hostplane, 50_000, PACED_RATE, WARMUP_ORDERS))
        )
        paced = asyncio.run(send_orders(hostplane, 100_000, PACED_RATE))
        latencies = wait_active(hostplane, paced)
        events_before = asyncio.run(_messages(hostplane))
        burst = asyncio.run(send_orders(hostplane, 200_000, BURST_RATE))
        burst_latencies = wait_active(hostplane, burst)
        events = asyncio.run(_messages(hostplane)) - events_before
    first_sent = min(burst.values())
    span_s = max(sent + lat for sent, lat in zip(burst.values(), burst_latencies, strict=True))
    span_s -= first_sent
    figures = {
        "paced_rate_per_s": PACED_RATE,
        "paced_create_to_active_p50_ms": percentile(latencies, 50) * 1000,
        "paced_create_to_active_p99_ms": percentile(latencies, 99) * 1000,
        "burst_orders": ORDERS,
        "burst_seconds_until_all_active": span_s,
        "burst_creations_per_s": ORDERS / span_s,
        "burst_create_to_active_p50_ms": percentile(burst_latencies, 50) * 1000,
        "burst_create_to_active_p99_ms": percentile(burst_latencies, 99) * 1000,
        "burst_messages_per_s": events / span_s,
    }
    targets = [
        Target(
            "p99 create→active at 20/s (ms)", figures["paced_create_to_active_p99_ms"], 300, False
        ),
        Target("sustained creations/s", figures["burst_creations_per_s"], 100),
    ]
    settings = {
        "orders_per_phase": ORDERS,
        "warmup_orders": f"{WARMUP_ORDERS} at the paced rate, not counted",
        "load_generator": "httpx, open loop",
        "cloudsim": ZERO_LATENCY,
        "active_at": "the read model's updated_at of the activating event",
    }
    return Result("pipeline", figures, settings, targets)


async def send_orders(
    hostplane: Stack, first: int, rate: float, count: int = ORDERS, region: str = "eu-frankfurt"
) -> dict[str, float]:
    """Send `count` signed orders on an open-loop schedule, spread over every gateway
    replica; instance id → wall time sent."""
    sent: dict[str, float] = {}
    # Idle connections are dropped before the gateway's 5 s keep-alive ends, so a request
    # never races the server closing its connection.
    limits = httpx.Limits(max_connections=200, keepalive_expiry=2)
    gateways = hostplane.gateway_urls or (hostplane.gateway_url,)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:

        async def one(service_id: int) -> None:
            body = json.dumps(order(service_id, region)).encode()
            headers = signed_headers(API_KEY, HMAC_SECRET, body)
            url = f"{gateways[service_id % len(gateways)]}/api/instances"
            at = time.time()
            # As WHMCS would, an order whose connection broke is sent again: the same
            # service is the same instance, so the retry creates nothing twice.
            for attempt in range(1, ORDER_ATTEMPTS + 1):
                try:
                    response = await http.post(url, content=body, headers=headers)
                    break
                except httpx.TransportError:
                    if attempt == ORDER_ATTEMPTS:
                        raise
            response.raise_for_status()
            sent[response.json()["id"]] = at

        start = time.monotonic()
        tasks = []
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(first + n)))
        await asyncio.gather(*tasks)
    return sent


def wait_active(hostplane: Stack, sent: dict[str, float], timeout_s: float = 300) -> list[float]:
    """Seconds from each order to its instance being active, once all are."""
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(hostplane.database_url, autocommit=True) as conn:
        while True:
            rows = conn.execute(
                "SELECT id::text, updated_at FROM views.instances"
                " WHERE status = 'active' AND id::text = ANY(%s)",
                (list(sent),),
            ).fetchall()
            if len(rows) == len(sent):
                active: dict[str, datetime] = dict(rows)
                return [active[i].timestamp() - sent[i] for i in sent]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(rows)} of {len(sent)} active after {timeout_s}s")
            time.sleep(0.2)


async def _messages(hostplane: Stack) -> int:
    """Every message on the stack's topics so far (commands, events, telemetry)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=hostplane.kafka_bootstrap_servers)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(hostplane.partitions(ALL_TOPICS))
        return sum(ends.values())
    finally:
        await consumer.stop()
