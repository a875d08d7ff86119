"""Rate limits per WHMCS API key, per dashboard user and per client IP.

Sliding windows from the `limits` library (a weighted count over the current and the previous
window: constant memory and time per key), kept in this process's memory: each gateway replica
limits on its own (a shared `limits` storage such as Redis makes them fleet-wide). A request
over any of its limits is answered 429 with `Retry-After`; every answer carries the
`X-RateLimit-*` headers of its tightest limit.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from fastapi import FastAPI, Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hostplane.contracts.openclaw import ErrorCode
from hostplane.gateway.auth import verified_claims
from hostplane.gateway.errors import ApiError, respond
from hostplane.gateway.settings import Settings

UNLIMITED_PATHS = ("/api/health", "/openapi.json", "/docs", "/redoc")


@dataclass(frozen=True)
class Bucket:
    limit: RateLimitItem
    key: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._per_key = parse(settings.rate_limit_api_key)
        self._per_user = parse(settings.rate_limit_user)
        self._per_ip = parse(settings.rate_limit_ip)

    def buckets(self, request: Request) -> list[Bucket]:
        """Every limit this request counts against."""
        client = request.client.host if request.client else "unknown"
        buckets = [Bucket(self._per_ip, f"ip:{client}")]
        if api_key := request.headers.get("x-api-key"):
            buckets.append(Bucket(self._per_key, f"key:{_digest(api_key)}"))
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            buckets.append(Bucket(self._per_user, f"user:{self._user(token)}"))
        return buckets

    def _user(self, token: str) -> str:
        # Only a verified subject names a user's bucket, so nobody can drain someone else's.
        claims = verified_claims(self._settings.jwt_secret, token)
        return str(claims["sub"]) if claims else "anonymous:" + _digest(token)

    async def check(self, request: Request) -> tuple[bool, dict[str, str]]:
        """Count the request; whether it is allowed, and the headers to answer with."""
        allowed, tightest = True, None
        for bucket in self.buckets(request):
            if not await self._limiter.hit(bucket.limit, bucket.key):
                allowed = False
            stats = await self._limiter.get_window_stats(bucket.limit, bucket.key)
            if tightest is None or stats.remaining < tightest[1].remaining:
                tightest = (bucket, stats)
        assert tightest is not None
        bucket, stats = tightest
        headers = {
            "X-RateLimit-Limit": str(bucket.limit.amount),
            "X-RateLimit-Remaining": str(max(0, stats.remaining)),
            "X-RateLimit-Reset": str(math.ceil(stats.reset_time)),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(stats.reset_time - time.time())))
        return allowed, headers


class RateLimitMiddleware:
    """Pure ASGI: counts each request, answers 429 over a limit, stamps the headers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self._app = app
        self._limits = RateLimits(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED_PATHS):
            await self._app(scope, receive, send)
            return
        allowed, headers = await self._limits.check(Request(scope))
        if not allowed:
            refusal = respond(
                ApiError(429, ErrorCode.RATE_LIMITED, "Too many requests", headers=headers)
            )
            await refusal(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self._app(scope, receive, stamped)


def install(app: FastAPI, settings: Settings) -> None:
    """Limit every route but health and the API docs."""
    app.add_middleware(RateLimitMiddleware, settings=settings)
