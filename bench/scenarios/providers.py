"""providers: the same orders at each provider pair, from the order to `active`.

Hetzner with Cloudflare (eu-frankfurt) and Proxmox VE with PowerDNS (jp-tokyo), each on a
stack of its own, cloudsim answering at once. A Hetzner server is one create and a watched
action; a Proxmox VM is a clone, its configuration, a seed upload, a disk resize and a start,
each a task to wait for, and its address asked of the guest agent. The figures say what that
costs in time and in requests at the provider, per order.
"""

import asyncio

import httpx

from bench.common import Result, percentile, stack
from bench.scenarios.pipeline import send_orders, wait_active
from tests.stack import PROVIDER_PAIRS, Stack

ORDERS = 100
WARMUP_ORDERS = 10
RATE = 10.0
ZERO_LATENCY = {
    "CLOUDSIM_BOOT_DELAY": "0",
    "CLOUDSIM_ACTION_DELAY": "0",
    "PROVIDER_POLL_INTERVAL_S": "0.2",
    "METRICS_INTERVAL_S": "0",
}
PREFIXES = ("/hetzner/", "/proxmox/", "/cloudflare/", "/powerdns/")


def run() -> Result:
    figures: dict[str, float] = {}
    for name, pair in PROVIDER_PAIRS.items():
        with stack(f"providers-{name.replace('+', '-')}", **ZERO_LATENCY, **pair.env) as hostplane:
            warmup = asyncio.run(send_orders(hostplane, 10_000, RATE, WARMUP_ORDERS, pair.region))
            wait_active(hostplane, warmup)
            before = _provider_requests(hostplane)
            latencies = wait_active(
                hostplane, asyncio.run(send_orders(hostplane, 20_000, RATE, ORDERS, pair.region))
            )
            after = _provider_requests(hostplane)
        figures[f"{name} create→active p50 (ms)"] = percentile(latencies, 50) * 1000
        figures[f"{name} create→active p99 (ms)"] = percentile(latencies, 99) * 1000
        for prefix in PREFIXES:
            spent = after.get(prefix, 0) - before.get(prefix, 0)
            if spent:
                figures[f"{name} {prefix.strip('/')} requests per order"] = spent / ORDERS
    settings = {
        "orders_per_pair": ORDERS,
        "rate_per_s": RATE,
        "warmup_orders": f"{WARMUP_ORDERS}, not counted",
        "cloudsim": ZERO_LATENCY,
        "regions": {name: pair.region for name, pair in PROVIDER_PAIRS.items()},
    }
    return Result("providers", figures, settings)


def _provider_requests(hostplane: Stack) -> dict[str, int]:
    """Requests cloudsim has answered so far, by provider."""
    counts = httpx.get(f"{hostplane.cloudsim_url}/_admin/state").json()["request_counts"]
    totals: dict[str, int] = {}
    for route, count in counts.items():
        path = route.split(" ", 1)[1]
        for prefix in PREFIXES:
            if path.startswith(prefix):
                totals[prefix] = totals.get(prefix, 0) + count
    return totals
