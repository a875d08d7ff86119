"""Rate-limit counts, for every gateway replica: in Redis when REDIS_URL is set, else in this
process's memory.

Sliding windows from the `limits` library (a weighted count over the current and the previous
window: constant memory and time per key). In Redis the counts live under
`hostplane:<topic prefix>ratelimit:`, so a limit holds across every gateway replica; in memory,
each replica limits on its own.

A request costs two round trips to Redis, however many limits it counts against: the hits of
all of them go at once, then their window stats. `limits` has no call that both counts and
reports (each is one Lua script, so a limit costs two commands); in memory, where nothing is
waited for, they run one after the other.

When Redis does not answer, counting fails open to this replica's memory, as without Redis,
and the outage is logged. Redis is asked again `RETRY_SHARED_S` later.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.util import WindowStats
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

log = logging.getLogger(__name__)

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


def redis_limiter(redis_url: str, topic_prefix: str) -> SlidingWindowCounterRateLimiter:
    """Limits counted in Redis, shared by every replica using the same prefix."""
    options: dict[str, Any] = {
        "socket_connect_timeout": REDIS_TIMEOUT_S,
        "socket_timeout": REDIS_TIMEOUT_S,
        # No retries inside a request: an outage fails open at once (see the module's text).
        "retry": Retry(NoBackoff(), 0),
    }
    storage = RedisStorage(
        "async+" + redis_url,
        wrap_exceptions=True,
        implementation="redispy",
        key_prefix=f"hostplane:{topic_prefix}ratelimit",
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


async def _stats(
    limiter: SlidingWindowCounterRateLimiter, buckets: list[Bucket]
) -> list[WindowStats]:
    return list(await asyncio.gather(*(limiter.get_window_stats(b.limit, b.key) for b in buckets)))


class HitCounter:
    """Counts a request's hits against its buckets: shared while Redis answers."""

    def __init__(self, shared: SlidingWindowCounterRateLimiter | None = None) -> None:
        self._shared = shared
        self._local = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._shared_again_at = 0.0

    async def count(self, buckets: list[Bucket]) -> list[Count]:
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

    async def stats(self, buckets: list[Bucket]) -> list[WindowStats]:
        """Each bucket's window as it stands, without counting a hit."""
        if self._shared is not None and time.monotonic() >= self._shared_again_at:
            try:
                return await _stats(self._shared, buckets)
            except StorageError as error:
                self._fail_open(error)
        return await _stats(self._local, buckets)

    def _fail_open(self, error: StorageError) -> None:
        if not self._shared_again_at:
            log.warning(
                "rate limits: Redis unreachable, counting in this replica's memory: %s",
                error.storage_error,
            )
        self._shared_again_at = time.monotonic() + RETRY_SHARED_S


class SignInFailures:
    """Failed sign-ins counted per account and per client address (`SignInAttempts`): once
    either has used its allowance, the next attempt waits until the window moves on."""

    def __init__(self, counter: HitCounter, per_account: str, per_ip: str) -> None:
        self._counter = counter
        self._per_account = parse(per_account)
        self._per_ip = parse(per_ip)

    def _buckets(self, keys: list[str]) -> list[Bucket]:
        return [
            Bucket(self._per_ip if key.startswith("ip:") else self._per_account, f"sign-in:{key}")
            for key in keys
        ]

    async def wait_s(self, keys: list[str]) -> float:
        stats = await self._counter.stats(self._buckets(keys))
        spent = [s.reset_time for s in stats if s.remaining <= 0]
        return max(1.0, max(spent) - time.time()) if spent else 0.0

    async def failed(self, keys: list[str]) -> None:
        await self._counter.count(self._buckets(keys))
