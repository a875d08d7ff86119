"""cloud scale: 1,000 orders against a Hetzner-like cloudsim, rate limit and boot times included.

Hetzner answers 429 past 3,600 requests an hour per project (refilled one a second) and a
server takes 30 to 90 s to boot. Both are scaled by TIME_FACTOR, and the project starts with
an empty bucket, so the rate limit decides: at least one request per server means the run
cannot end before ORDERS / rate + the longest boot. Hostplane should get close to that
bound without a single 429, polling boots in batches rather than one by one.
"""

import asyncio
import time

import httpx

from bench.common import Result, Target, stack
from bench.scenarios.pipeline import send_orders, wait_active
from tests.stack import Stack

ORDERS = 1000
TIME_FACTOR = 30.0
LIMIT_PER_HOUR = 3600
BOOT_S = (30.0, 90.0)
ORDER_RATE = 200.0
HETZNER_LIKE = {
    "CLOUDSIM_BOOT_DELAY": str(BOOT_S[0]),
    "CLOUDSIM_BOOT_DELAY_MAX": str(BOOT_S[1]),
    "CLOUDSIM_TIME_FACTOR": str(TIME_FACTOR),
    "CLOUDSIM_ACTION_DELAY": "2",
    "CLOUDSIM_RATE_LIMIT_PER_HOUR": str(LIMIT_PER_HOUR),
    "CLOUDSIM_RATE_LIMIT_INITIAL": "0",
    # The whole project's budget is provisioning's; usage sampling is off for the run.
    "HETZNER_REQUESTS_PER_HOUR": str(LIMIT_PER_HOUR * TIME_FACTOR),
    "METRICS_INTERVAL_S": "0",
    "PROVIDER_POLL_INTERVAL_S": "1",
}


def run() -> Result:
    with stack("cloud", **HETZNER_LIKE) as hostplane:
        started = time.time()
        sent = asyncio.run(_orders_of(hostplane))
        latencies = wait_active(hostplane, sent, timeout_s=600)
        wall_s = max(sent[i] + lat for i, lat in zip(sent, latencies, strict=True)) - started
        state = httpx.get(f"{hostplane.cloudsim_url}/_admin/state").json()
    hetzner = {k: v for k, v in state["route_counts"].items() if "/hetzner/" in k}
    requests = sum(hetzner.values())
    rate_per_s = LIMIT_PER_HOUR / 3600 * TIME_FACTOR
    bound_s = ORDERS / rate_per_s + BOOT_S[1] / TIME_FACTOR
    figures = {
        "orders": ORDERS,
        "wall_s": wall_s,
        "bound_s": bound_s,
        "wall_over_bound": wall_s / bound_s,
        "responses_429": state["status_counts"].get("429", 0),
        "provider_requests": requests,
        "provider_requests_per_instance": requests / ORDERS,
        "provider_requests_by_route": hetzner,
    }
    targets = [
        Target("wall time / bound", figures["wall_over_bound"], 1.10, higher_is_better=False),
        Target("429 responses", figures["responses_429"], 0, higher_is_better=False),
        Target(
            "provider requests per instance",
            figures["provider_requests_per_instance"],
            1.5,
            higher_is_better=False,
        ),
    ]
    settings = {
        "time_factor": TIME_FACTOR,
        "rate_limit": f"{LIMIT_PER_HOUR}/h per project, bucket empty at start",
        "rate_per_s_scaled": rate_per_s,
        "boot_s_unscaled": BOOT_S,
        "order_rate_per_s": ORDER_RATE,
        "bound": "ORDERS / scaled rate + longest scaled boot",
        "cloudsim": HETZNER_LIKE,
    }
    return Result("cloud_scale", figures, settings, targets)


async def _orders_of(hostplane: Stack) -> dict[str, float]:
    return await send_orders(hostplane, 300_000, ORDER_RATE, count=ORDERS)
