"""Rate limits per WHMCS API key, per dashboard user and per client IP.

Moving windows from the `limits` library, kept in this process's memory: each gateway replica
limits on its own (a shared `limits` storage such as Redis makes them fleet-wide). A request
over any of its limits is answered 429 with `Retry-After`; every answer carries the
`X-RateLimit-*` headers of its tightest limit.
"""

import hashlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import jwt
from fastapi import FastAPI, Request, Response
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from hostplane.contracts.openclaw import ErrorCode
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
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
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
        try:
            claims = jwt.decode(token, self._settings.jwt_secret, algorithms=["HS256"])
            return str(claims["sub"])
        except (jwt.InvalidTokenError, KeyError):
            return "anonymous:" + _digest(token)

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


def install(app: FastAPI, settings: Settings) -> None:
    """Limit every route but health and the API docs."""
    limits = RateLimits(settings)

    @app.middleware("http")
    async def rate_limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith(UNLIMITED_PATHS):
            return await call_next(request)
        allowed, headers = await limits.check(request)
        if not allowed:
            return respond(
                ApiError(429, ErrorCode.RATE_LIMITED, "Too many requests", headers=headers)
            )
        response = await call_next(request)
        response.headers.update(headers)
        return response
