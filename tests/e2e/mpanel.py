"""An mPanel operator's session against a running stack: login, the seed's calls, waits."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

from tests.conftest import wait_until
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Stack


@dataclass
class Session:
    """An operator signed in to mPanel; `call` answers parsed JSON and checks the status."""

    stack: Stack
    token: str
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=f"{self.stack.mpanel_url}/api",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == expect, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return (
            response.json()
            if response.content and "json" in response.headers.get("content-type", "")
            else response
        )

    def until(self, path: str, ready: Callable[[Any], bool], timeout: float = 60) -> Any:
        """GET `path` until `ready(body)`; the read models follow the events closely."""

        def probe() -> Any:
            response = self.client.get(path)
            if response.status_code != 200:
                return None
            body = response.json()
            return body if ready(body) else None

        return wait_until(probe, timeout, 0.1, what=f"GET {path}")

    # ---- the seed's calls, with unique names per test -----------------------------------

    def cloudpod_product(self, price: float = 9.99, region: str = "eu-frankfurt") -> dict[str, Any]:
        sku = f"CPOD-{uuid4().hex[:8].upper()}"
        return self.call(
            "POST",
            "/products",
            201,
            json={
                "name": f"CloudPod {sku}",
                "type": "cloudpod",
                "sku": sku,
                "billingCycles": [{"cycle": "monthly", "price": price, "currency": "USD"}],
                "metadata": {"cpu": 2, "ramMb": 2048, "diskGb": 40},
                "status": "active",
                "plan": "starter",
                "region": region,
            },
        )

    def customer(self, country: str = "US") -> dict[str, Any]:
        name = f"cust-{uuid4().hex[:8]}"
        return self.call(
            "POST",
            "/customers",
            201,
            json={
                "name": name,
                "email": f"{name}@example.com",
                "phone": "+1-555-1234",
                "address": {
                    "line1": "123 Main St",
                    "city": "Miami",
                    "state": "FL",
                    "postalCode": "33101",
                    "country": country,
                },
            },
        )

    def order(self, customer_id: str, product_id: str, key: str | None = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else {}
        return self.call(
            "POST",
            "/orders",
            201,
            headers=headers,
            json={
                "customerId": customer_id,
                "items": [{"productId": product_id, "billingCycle": "monthly", "quantity": 1}],
            },
        )

    def pay(self, invoice_id: str, payment_method: str = "pm_card_visa") -> str:
        """Open a checkout session and complete it as the customer would; its session id."""
        session = self.call(
            "POST",
            "/payments/session",
            json={
                "invoiceId": invoice_id,
                "successUrl": "https://mpanel.test/billing/success",
                "cancelUrl": "https://mpanel.test/billing/cancel",
            },
        )
        self.stack.admin(
            "POST",
            f"/stripe/checkout/sessions/{session['sessionId']}/complete",
            {"payment_method": payment_method},
        )
        return str(session["sessionId"])


def login(stack: Stack, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> Session:
    """Sign in (the first admin exists once billing has published it)."""

    def signed_in() -> str | None:
        response = httpx.post(
            f"{stack.mpanel_url}/api/auth/login", json={"email": email, "password": password}
        )
        return str(response.json()["token"]) if response.status_code == 200 else None

    return Session(stack, wait_until(signed_in, 60, 0.2, what=f"{email} to sign in"))
