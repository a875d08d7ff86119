"""Rate limits per WHMCS API key, per dashboard user and per client IP, for every gateway.

Sliding windows from the `limits` library (a weighted count over the current and the previous
window: constant memory and time per key). With REDIS_URL the counts live in Redis, under
`hostplane:<topic prefix>ratelimit:`, so a limit holds across every gateway replica; without
it, in this process's memory, and each replica limits on its own.

A request costs two round trips to Redis, however many limits it counts against: the hits of
all of them go at once, then their window stats. `limits` has no call that both counts and
reports (each is one Lua script, so a limit costs two commands); in memory, where nothing is
waited for, they run one after the other.

When Redis does not answer, the gateway fails open to its own memory: requests are answered
as usual and counted by this replica alone, as without Redis, and the outage is logged.
Redis is asked again `RETRY_SHARED_S` later.

A request over any of its limits is answered 429 with `Retry-After`; every answer carries the
`X-RateLimit-*` headers of its tightest limit.
"""

import asyncio
import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.util import WindowStats
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hostplane.contracts.openclaw import ErrorCode
from hostplane.gateway.auth import verified_claims
from hostplane.gateway.errors import ApiError, respond
from hostplane.gateway.settings import Settings

log = logging.getLogger(__name__)

UNLIMITED_PATHS = ("/api/health", "/openapi.json", "/docs", "/redoc")
# After Redis failed to answer, requests are counted in memory this long before it is asked again.
RETRY_SHARED_S = 5.0
REDIS_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class Bucket:
    limit: RateLimitItem
    key: str


@dataclass(frozen=True)
class Count:
    bucket: Bucket
    allowed: bool
    stats: WindowStats


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def shared_limiter(settings: Settings) -> SlidingWindowCounterRateLimiter | None:
    """Limits counted in Redis, when REDIS_URL is set."""
    if not settings.redis_url:
        return None
    options: dict[str, Any] = {
        "socket_connect_timeout": REDIS_TIMEOUT_S,
        "socket_timeout": REDIS_TIMEOUT_S,
        # No retries inside a request: an outage fails open at once (see the module's text).
        "retry": Retry(NoBackoff(), 0),
    }
    storage = RedisStorage(
        "async+" + settings.redis_url,
        wrap_exceptions=True,
        implementation="redispy",
        key_prefix=f"hostplane:{settings.topic_prefix}ratelimit",
        **options,
    )
    return SlidingWindowCounterRateLimiter(storage)


async def _count_shared(
    limiter: SlidingWindowCounterRateLimiter, buckets: list[Bucket]
) -> list[Count]:
    """Every bucket hit at once, then every window read at once: two round trips."""
    allowed = await asyncio.gather(*(limiter.hit(b.limit, b.key) for b in buckets))
    stats = await asyncio.gather(*(limiter.get_window_stats(b.limit, b.key) for b in buckets))
    return [Count(*counted) for counted in zip(buckets, allowed, stats, strict=True)]


async def _count_here(
    limiter: SlidingWindowCounterRateLimiter, buckets: list[Bucket]
) -> list[Count]:
    """In memory nothing is waited for: one bucket after the other costs least."""
    return [
        Count(b, await limiter.hit(b.limit, b.key), await limiter.get_window_stats(b.limit, b.key))
        for b in buckets
    ]


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._shared = shared_limiter(settings)
        self._local = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._shared_again_at = 0.0
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
        counts = await self._counted(self.buckets(request))
        tightest = min(counts, key=lambda c: c.stats.remaining)
        headers = {
            "X-RateLimit-Limit": str(tightest.bucket.limit.amount),
            "X-RateLimit-Remaining": str(max(0, tightest.stats.remaining)),
            "X-RateLimit-Reset": str(math.ceil(tightest.stats.reset_time)),
        }
        allowed = all(c.allowed for c in counts)
        if not allowed:
            wait_s = tightest.stats.reset_time - time.time()
            headers["Retry-After"] = str(max(1, math.ceil(wait_s)))
        return allowed, headers

    async def _counted(self, buckets: list[Bucket]) -> list[Count]:
        if self._shared is not None and time.monotonic() >= self._shared_again_at:
            try:
                counts = await _count_shared(self._shared, buckets)
            except StorageError as error:
                self._fail_open(error)
            else:
                if self._shared_again_at:
                    log.info("rate limits: Redis answers again; limits are shared")
                    self._shared_again_at = 0.0
                return counts
        return await _count_here(self._local, buckets)

    def _fail_open(self, error: StorageError) -> None:
        if not self._shared_again_at:
            log.warning(
                "rate limits: Redis unreachable, counting in this replica's memory: %s",
                error.storage_error,
            )
        self._shared_again_at = time.monotonic() + RETRY_SHARED_S


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
