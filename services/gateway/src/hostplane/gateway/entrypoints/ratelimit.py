"""Rate limits per WHMCS API key, per dashboard user and per client IP.

A request over any of its limits is answered 429 with `Retry-After`; every answer carries the
`X-RateLimit-*` headers of its tightest limit. Where the counts live is the `HitCounter`'s
business (Redis, shared by every replica, or this process's memory).
"""

import hashlib
import math
import time
from collections.abc import Callable

from limits import parse
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hostplane.contracts.openclaw.errors import ErrorCode
from hostplane.gateway.adapters.ratelimits import Bucket, HitCounter
from hostplane.gateway.domain.tokens import verified_claims
from hostplane.gateway.entrypoints.errors import respond
from hostplane.gateway.settings import Settings

UNLIMITED_PATHS = ("/api/health", "/health/", "/openapi.json", "/docs", "/redoc")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


# Whom a bearer token names, if its signature is good: its user's bucket.
Subject = Callable[[str], str | None]
# The 429 answer, carrying the limit's headers.
Refuse = Callable[[dict[str, str]], Response]


def dashboard_subject(jwt_secret: str) -> Subject:
    """The subject of a seed 000 dashboard token."""

    def subject(token: str) -> str | None:
        claims = verified_claims(jwt_secret, token)
        return str(claims["sub"]) if claims else None

    return subject


def rate_limited(headers: dict[str, str]) -> Response:
    """Seed 000's 429."""
    return respond(429, ErrorCode.RATE_LIMITED, "Too many requests", headers=headers)


class RateLimits:
    """Which limits a request counts against, and what it is answered.

    `prefix` keeps one surface's counts apart from another's (mPanel's from OpenClaw's).
    """

    def __init__(
        self,
        settings: Settings,
        counter: HitCounter,
        subject: Subject | None = None,
        prefix: str = "",
        per_ip: str | None = None,
    ) -> None:
        """`per_ip`: the surface's own limit per client address (else `RATE_LIMIT_IP`)."""
        self._subject = subject or dashboard_subject(settings.jwt_secret)
        self._prefix = prefix
        self._counter = counter
        self._per_key = parse(settings.rate_limit_api_key)
        self._per_user = parse(settings.rate_limit_user)
        self._per_ip = parse(per_ip or settings.rate_limit_ip)

    def buckets(self, scope: Scope) -> list[Bucket]:
        """Every limit this request counts against."""
        client = scope.get("client")
        headers = Headers(scope=scope)
        prefix = self._prefix
        buckets = [Bucket(self._per_ip, f"{prefix}ip:{client[0] if client else 'unknown'}")]
        if api_key := headers.get("x-api-key"):
            buckets.append(Bucket(self._per_key, f"{prefix}key:{_digest(api_key)}"))
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            buckets.append(Bucket(self._per_user, f"{prefix}user:{self._user(token)}"))
        return buckets

    def _user(self, token: str) -> str:
        # Only a verified subject names a user's bucket, so nobody can drain someone else's.
        return self._subject(token) or "anonymous:" + _digest(token)

    async def check(self, scope: Scope) -> tuple[bool, dict[str, str]]:
        """Count the request; whether it is allowed, and the headers to answer with."""
        counts = await self._counter.count(self.buckets(scope))
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


class RateLimitMiddleware:
    """Pure ASGI: counts each request, answers 429 over a limit, stamps the headers."""

    def __init__(self, app: ASGIApp, limits: RateLimits, refuse: Refuse = rate_limited) -> None:
        self._app = app
        self._limits = limits
        self._refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED_PATHS):
            await self._app(scope, receive, send)
            return
        allowed, headers = await self._limits.check(scope)
        if not allowed:
            await self._refuse(headers)(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self._app(scope, receive, stamped)
