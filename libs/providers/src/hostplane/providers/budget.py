"""Calls to a provider account, paced to its rate limit and counted for Prometheus.

A provider's limit belongs to the account, not to a process: Hetzner allows 3,600 requests
an hour per project, refilled one a second; Cloudflare 1,200 per 5 minutes per user. Past
them both answer 429. A budget is a token bucket (`Pace`): a request takes a token before it
goes out, waiting for one instead of being refused, and is settled when its answer is back.
`RequestBudget` keeps the bucket in this process; `SharedBudget` (shared_budget.py) keeps it
in Redis, so that every replica of every service calling one account draws on one bucket.

Both believe the provider's `RateLimit-Remaining`: the first one tells what the account has;
later ones only ever lower it (answers arrive out of order, so a higher count may be stale),
and the requests still in flight are counted as spent. A budget shared with other clients is
never overdrawn, and a full one is used. A 429 without that header counts as an empty bucket.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, partialmethod
from typing import Any, Protocol, TypeVar

import httpx
import requests
from requests.adapters import HTTPAdapter

from hostplane.messaging.observability import record_provider_call

HETZNER_PROJECT_PER_HOUR = 3600.0
CLOUDFLARE_WINDOW_S = 300.0


@dataclass(frozen=True)
class Pace:
    """A token bucket: refilled at `rate_per_s`, holding at most `burst` tokens."""

    rate_per_s: float
    burst: float

    @classmethod
    def per_hour(cls, requests: float) -> "Pace":
        """Hetzner's own shape: a bucket of an hour's requests, refilled evenly."""
        return cls(requests / 3600, requests)

    @classmethod
    def per_window(cls, requests: float, window_s: float) -> "Pace":
        """At most `requests` in any `window_s`, as Cloudflare counts them.

        A bucket lets `burst + rate_per_s * window_s` through in any window, so a tenth of the
        window's requests may go at once and the rest are spread evenly over it.
        """
        if requests < 2:
            raise ValueError("a window's budget needs at least 2 requests")
        burst = max(1.0, requests / 10)
        return cls((requests - burst) / window_s, burst)


class Budget(Protocol):
    """One provider account's requests: taken before they go out, settled when answered."""

    def take(self) -> str:
        """Wait until a request may go out and spend a token; returns its ticket."""
        ...

    def settle(self, ticket: str, remaining: int | None) -> None:
        """The ticket's request came back; `remaining` is the provider's count, if told."""
        ...


class RequestBudget:
    """A budget in this process's memory: only for a process that calls the account alone."""

    def __init__(self, pace: Pace) -> None:
        self.pace = pace
        # Start empty: what the account has left is known from the first answer, and until
        # then a request goes out only as fast as the account refills.
        self._tokens = 0.0
        self._in_flight = 0
        self._told = False
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def try_take(self) -> float:
        """Spend a token if there is one (0.0); otherwise the seconds until there is."""
        with self._lock:
            self._refill()
            if self._tokens >= 1:
                self._tokens -= 1
                self._in_flight += 1
                return 0.0
            return (1 - self._tokens) / self.pace.rate_per_s

    def take(self) -> str:
        # This process counts its own requests in flight: no ticket is needed.
        while (wait_s := self.try_take()) > 0:
            time.sleep(wait_s)
        return ""

    def settle(self, ticket: str, remaining: int | None) -> None:
        with self._lock:
            self._in_flight -= 1
            if remaining is not None:
                self._refill()
                told = max(0.0, min(self.pace.burst, float(remaining - self._in_flight)))
                self._tokens = told if not self._told else min(self._tokens, told)
                self._told = True

    def _refill(self) -> None:
        now = time.monotonic()
        gained = (now - self._updated) * self.pace.rate_per_s
        self._tokens = min(self.pace.burst, self._tokens + gained)
        self._updated = now


def remaining_of(status: int, headers: Any) -> int | None:
    """What the account has left, from an answer's `RateLimit-Remaining` (or its 429)."""
    header = str(headers.get("RateLimit-Remaining", ""))
    if header.isdigit():
        return int(header)
    return 0 if status == 429 else None


class Answer(Protocol):
    """What pacing reads of a provider's answer (`requests` and `httpx` responses alike)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Any: ...


A = TypeVar("A", bound=Answer)


def paced_call(
    provider: str,
    method: str,
    budget: Budget | None,
    send: Callable[[], A],
    unreachable: type[Exception],
) -> A:
    """Send one request within the budget, settle it with what the answer tells, count it."""
    ticket = budget.take() if budget is not None else ""
    started = time.perf_counter()
    remaining: int | None = None
    try:
        response = send()
    except unreachable:
        record_provider_call(provider, method, "error", time.perf_counter() - started)
        raise
    else:
        remaining = remaining_of(response.status_code, response.headers)
    finally:
        if budget is not None:
            budget.settle(ticket, remaining)
    record_provider_call(provider, method, str(response.status_code), time.perf_counter() - started)
    return response


class PacedAdapter(HTTPAdapter):
    """A `requests` transport that takes a token per request and reads the rate headers."""

    def __init__(self, provider: str, budget: Budget | None) -> None:
        super().__init__()
        self._provider = provider
        self._budget = budget

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        return paced_call(
            self._provider,
            request.method or "GET",
            self._budget,
            partial(super().send, request, *args, **kwargs),
            requests.RequestException,
        )


class PacedTransport(httpx.HTTPTransport):
    """An `httpx` transport that takes a token per request and reads the rate headers."""

    def __init__(self, provider: str, budget: Budget | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._provider = provider
        self._budget = budget

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return paced_call(
            self._provider,
            request.method,
            self._budget,
            partial(super().handle_request, request),
            httpx.TransportError,
        )


def pace(session: requests.Session, base_url: str, provider: str, budget: Budget | None) -> None:
    """Send every request `session` makes to `base_url` through a paced, counted adapter."""
    session.mount(base_url, PacedAdapter(provider, budget))


class _PacedRequests:
    """Every request this process sends to a paced base URL with `requests`, paced.

    For client libraries that build their own session and take no transport (hcloud):
    like OpenTelemetry's requests instrumentation, `Session.send` is wrapped, once, around
    whatever it was then (an instrumentation's wrapper included).
    """

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, Budget | None]] = {}
        self.send_unpaced: Callable[..., requests.Response] | None = None

    def add(self, base_url: str, provider: str, budget: Budget | None) -> None:
        self.routes[base_url.rstrip("/")] = (provider, budget)
        if self.send_unpaced is None:
            self.send_unpaced = requests.Session.send
            requests.Session.send = partialmethod(_send_paced, self)  # type: ignore[method-assign, assignment]

    def route(self, url: str) -> tuple[str, Budget | None] | None:
        return next((r for base, r in self.routes.items() if url.startswith(base)), None)


def _send_paced(
    session: requests.Session,
    paced: _PacedRequests,
    request: requests.PreparedRequest,
    **kwargs: Any,
) -> requests.Response:
    assert paced.send_unpaced is not None
    send = partial(paced.send_unpaced, session, request, **kwargs)
    route = paced.route(request.url or "")
    if route is None:
        return send()
    provider, budget = route
    return paced_call(provider, request.method or "GET", budget, send, requests.RequestException)


_PACED_REQUESTS = _PacedRequests()


def pace_requests(base_url: str, provider: str, budget: Budget | None) -> None:
    """Pace and count every request this process sends to `base_url` with `requests`."""
    _PACED_REQUESTS.add(base_url, provider, budget)
