"""mpanel_orders: an mPanel order through its invoice, Stripe and provisioning to `active`.

Each order is what an operator and their customer do: `POST /orders`, `POST
/payments/session` for its invoice, and the customer completing the checkout at the Stripe
simulator, which signs and sends the webhook to mPanel. Billing records the payment, starts
the subscription and sends `CreateInstance`; provisioning creates the server at cloudsim
(zero latency, instant boots). Measured on an open loop: order → `active` (from sending the
order to the activating event) and paid → `active` (from the checkout's completion).
"""

import asyncio
import time
from datetime import datetime
from typing import Any

import httpx
import psycopg

from bench.common import Result, Target, percentile, stack
from bench.scenarios.pipeline import ZERO_LATENCY
from tests.e2e.mpanel import login
from tests.stack import Stack

ORDERS = 200
WARMUP_ORDERS = 20
RATE = 5.0


def run() -> Result:
    with stack("mpanel_orders", LOG_LEVEL="WARNING", **ZERO_LATENCY) as hostplane:
        session = login(hostplane)
        customer_id = session.customer()["id"]
        product_id = session.cloudpod_product()["id"]
        orders = Orders(hostplane, session.token, customer_id, product_id)
        orders.wait_active(asyncio.run(orders.send(WARMUP_ORDERS)))
        placed = asyncio.run(orders.send(ORDERS))
        active = orders.wait_active(placed)
    ordered = [active[o] - sent for o, (sent, _) in placed.items()]
    paid = [active[o] - paid_at for o, (_, paid_at) in placed.items()]
    figures = {
        "orders": ORDERS,
        "rate_per_s": RATE,
        "order_to_active_p50_ms": percentile(ordered, 50) * 1000,
        "order_to_active_p99_ms": percentile(ordered, 99) * 1000,
        "paid_to_active_p50_ms": percentile(paid, 50) * 1000,
        "paid_to_active_p99_ms": percentile(paid, 99) * 1000,
    }
    settings = {
        "warmup_orders": f"{WARMUP_ORDERS} at the same rate, not counted",
        "load_generator": "httpx, open loop; one customer, one CloudPod product",
        "cloudsim": ZERO_LATENCY,
        "order": "POST /orders, POST /payments/session, the checkout completed at Stripe",
        "active_at": "the instance read model's updated_at of the activating event",
    }
    targets = [Target("p99 paid→active at 5/s (ms)", figures["paid_to_active_p99_ms"], 1000, False)]
    return Result("mpanel_orders", figures, settings, targets)


class Orders:
    """Orders of one customer for one product, placed and paid as an operator would."""

    def __init__(self, hostplane: Stack, token: str, customer_id: str, product_id: str) -> None:
        self.hostplane = hostplane
        self.token = token
        self.customer_id = customer_id
        self.product_id = product_id

    async def send(self, count: int) -> dict[str, tuple[float, float]]:
        """Place and pay `count` orders at `RATE` a second; order id → (sent, paid) times."""
        placed: dict[str, tuple[float, float]] = {}
        headers = {"Authorization": f"Bearer {self.token}"}
        async with (
            httpx.AsyncClient(
                base_url=f"{self.hostplane.mpanel_url}/api", headers=headers, timeout=60
            ) as mpanel,
            httpx.AsyncClient(base_url=self.hostplane.cloudsim_url, timeout=60) as stripe,
        ):

            async def one() -> None:
                sent = time.time()
                order = await _created(
                    mpanel.post(
                        "/orders",
                        json={
                            "customerId": self.customer_id,
                            "items": [{"productId": self.product_id, "billingCycle": "monthly"}],
                        },
                    )
                )
                checkout = await _created(
                    mpanel.post(
                        "/payments/session",
                        json={
                            "invoiceId": order["invoice"]["id"],
                            "successUrl": "https://mpanel.test/billing/success",
                            "cancelUrl": "https://mpanel.test/billing/cancel",
                        },
                    )
                )
                await _created(
                    stripe.post(
                        f"/_admin/stripe/checkout/sessions/{checkout['sessionId']}/complete",
                        json={"payment_method": "pm_card_visa"},
                    )
                )
                placed[order["order"]["id"]] = (sent, time.time())

            start = time.monotonic()
            tasks = []
            for n in range(count):
                await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
                tasks.append(asyncio.create_task(one()))
            await asyncio.gather(*tasks)
        return placed

    def wait_active(self, placed: dict[str, Any], timeout_s: float = 300) -> dict[str, float]:
        """Each order's instance's activation time (epoch seconds), once all are active."""
        deadline = time.monotonic() + timeout_s
        with psycopg.connect(self.hostplane.database_url, autocommit=True) as conn:
            while True:
                rows = conn.execute(
                    "SELECT o.id::text, i.updated_at FROM views.orders o"
                    " JOIN views.instances i ON i.id = ANY(o.instance_ids)"
                    " WHERE i.status = 'active' AND o.id::text = ANY(%s)",
                    (list(placed),),
                ).fetchall()
                if len(rows) == len(placed):
                    active: dict[str, datetime] = dict(rows)
                    return {order: at.timestamp() for order, at in active.items()}
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(rows)} of {len(placed)} active after {timeout_s}s")
                time.sleep(0.2)


async def _created(request: Any) -> Any:
    response: httpx.Response = await request
    response.raise_for_status()
    return response.json()
