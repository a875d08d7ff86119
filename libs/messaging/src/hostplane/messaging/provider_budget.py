"""Calls to a provider account, paced to its rate limit and counted for Prometheus.

Hetzner allows 3,600 requests an hour per project, refilled one a second, and answers 429
past it. A `RequestBudget` is a token bucket refilled at the same rate. The provider's first
`RateLimit-Remaining` tells it what the account has; later ones only ever lower it (answers
arrive out of order, so a higher count may be stale), and the requests still in flight are
counted as spent. A budget shared with other clients is never overdrawn, and a full one is
used. Requests wait for a token instead of being refused.
"""

import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from hostplane.messaging.observability import record_provider_call


class RequestBudget:
    def __init__(self, per_hour: float, burst: float | None = None) -> None:
        self.rate_per_s = per_hour / 3600
        self.burst = per_hour if burst is None else burst
        # Start empty: what the account has left is known from the first answer, and until
        # then a request goes out only as fast as the account refills.
        self._tokens = 0.0
        self._in_flight = 0
        self._told = False
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> None:
        """Wait until a request may go out, then spend one token."""
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1:
                    self._tokens -= 1
                    self._in_flight += 1
                    return
                wait_s = (1 - self._tokens) / self.rate_per_s
            time.sleep(wait_s)

    def settle(self, remaining: int | None) -> None:
        """A request came back; `remaining` is the provider's count of what is left, if told."""
        with self._lock:
            self._in_flight -= 1
            if remaining is not None:
                self._refill()
                told = max(0.0, min(self.burst, float(remaining - self._in_flight)))
                self._tokens = told if not self._told else min(self._tokens, told)
                self._told = True

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate_per_s)
        self._updated = now


class PacedAdapter(HTTPAdapter):
    """A `requests` transport that takes a token per request and reads the rate headers."""

    def __init__(self, provider: str, budget: RequestBudget | None) -> None:
        super().__init__()
        self._provider = provider
        self._budget = budget

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        if self._budget is not None:
            self._budget.take()
        method = request.method or "GET"
        started = time.perf_counter()
        remaining: int | None = None
        try:
            response = super().send(request, *args, **kwargs)
        except requests.RequestException:
            record_provider_call(self._provider, method, "error", time.perf_counter() - started)
            raise
        else:
            header = response.headers.get("RateLimit-Remaining", "")
            remaining = int(header) if header.isdigit() else None
        finally:
            if self._budget is not None:
                self._budget.settle(remaining)
        record_provider_call(
            self._provider, method, str(response.status_code), time.perf_counter() - started
        )
        return response


def pace(
    session: requests.Session, base_url: str, provider: str, budget: RequestBudget | None
) -> None:
    """Send every request `session` makes to `base_url` through a paced, counted adapter."""
    session.mount(base_url, PacedAdapter(provider, budget))
