"""replicas: the pipeline's burst with one, then two, replicas of every service on the same
machine, side by side; then how long an outbox relay takes over after its leader's kill -9.

Two replicas share the same two cores as one, so they cannot be faster; what is measured is
what running as replicas costs (a standing-by relay, a second consumer in each group, the
lead lock), against a target of at least 0.9x the throughput of one.
"""

import asyncio
import statistics
from typing import Any

from bench.common import REPEATS, Result, Target, stack
from bench.scenarios.pipeline import (
    ORDERS,
    PACED_RATE,
    WARMUP_ORDERS,
    ZERO_LATENCY,
    send_orders,
    wait_active,
)
from tests.stack import Stack, kill_outbox_leader

BURST_RATE = 500.0
BURSTS = REPEATS  # per stack; the median is quoted
FAILOVERS = 3  # per service with an outbox


def _burst(hostplane: Stack, first: int) -> float:
    """Creations per second: `ORDERS` orders at once, until the last is active."""
    burst = asyncio.run(send_orders(hostplane, first, BURST_RATE))
    latencies = wait_active(hostplane, burst)
    span_s = max(sent + lat for sent, lat in zip(burst.values(), latencies, strict=True))
    return ORDERS / (span_s - min(burst.values()))


def run() -> Result:
    figures: dict[str, Any] = {}
    for replicas in (1, 2):
        with stack(f"replicas-{replicas}", replicas=replicas, **ZERO_LATENCY) as hostplane:
            wait_active(
                hostplane, asyncio.run(send_orders(hostplane, 50_000, PACED_RATE, WARMUP_ORDERS))
            )
            rates = [_burst(hostplane, 200_000 + n * ORDERS) for n in range(BURSTS)]
            figures[f"creations_per_s_{replicas}_replica"] = statistics.median(rates)
            figures[f"creations_per_s_{replicas}_replica_runs"] = [round(r, 1) for r in rates]
            if replicas == 2:
                for service in ("provisioning", "dns"):
                    takeovers = [kill_outbox_leader(hostplane, service) for _ in range(FAILOVERS)]
                    figures[f"{service}_relay_failover_median_s"] = statistics.median(takeovers)
                    figures[f"{service}_relay_failover_max_s"] = max(takeovers)
    ratio = figures["creations_per_s_2_replica"] / figures["creations_per_s_1_replica"]
    figures["two_vs_one"] = ratio
    targets = [
        Target("two replicas vs one, creations/s", ratio, 0.9),
        Target(
            "relay failover, slowest (s)",
            max(figures["provisioning_relay_failover_max_s"], figures["dns_relay_failover_max_s"]),
            5.0,
            higher_is_better=False,
        ),
    ]
    settings = {
        "orders_per_burst": ORDERS,
        "bursts_per_stack": f"{BURSTS}, median quoted",
        "burst_rate_per_s": BURST_RATE,
        "warmup_orders": f"{WARMUP_ORDERS} at {PACED_RATE}/s, not counted",
        "load": "httpx open loop, spread over every gateway replica",
        "failover": f"kill -9 of the leading replica, {FAILOVERS} times per service; "
        "seconds until another replica holds the lead lock",
        "cloudsim": ZERO_LATENCY,
    }
    return Result("replicas", figures, settings, targets)
