"""Provider budgets in Redis: one token bucket per provider account, for every process.

A bucket is two keys under `hostplane:budget:{<provider>:<account digest>}`: a hash of the
tokens left, when they were counted and whether the provider has told its count yet, and a
sorted set of the requests in flight (ticket → lease end). Each take and settle is one Lua
script, so replicas never race on a count. Time is Redis's own clock: every host agrees.

A request's lease ends after `lease_s`, so a process killed mid-request stops counting as
in flight. A bucket unused until it would be full again expires; a new one starts empty,
which only ever slows requests down. The account is named by a digest of its endpoint and
token, never the token itself.

While Redis is unreachable, a request waits and asks again (logged): it never goes out
unpaced, and the service does not fail. A settle that cannot reach Redis is dropped; its
lease runs out instead.
"""

import functools
import hashlib
import logging
import random
import time
import uuid
from collections.abc import Callable

from redis import Redis, RedisError
from redis.backoff import NoBackoff
from redis.retry import Retry

from hostplane.providers.budget import Budget, Pace, RequestBudget

log = logging.getLogger(__name__)

# Shared by both scripts: the bucket refilled up to now.
# KEYS: bucket, in flight. ARGV: rate per s, burst, lease s, now ('' = Redis's clock), ...
_REFILLED = """
local rate, burst, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'told')
local tokens = tonumber(state[1]) or 0
local updated = tonumber(state[2]) or now
local told = state[3] == '1'
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local ttl = math.ceil(burst / rate + lease)
"""

# ARGV[5]: the ticket. Returns '0' when a token was spent, else the seconds to wait. Times
# are floats of epoch seconds: a millionth of a token short of one is one.
TAKE = (
    _REFILLED
    + """
if tokens < 1 - 1e-6 then
  redis.call('HSET', KEYS[1], 'tokens', tokens, 'updated', now)
  redis.call('EXPIRE', KEYS[1], ttl)
  return tostring((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', math.max(0, tokens - 1), 'updated', now)
redis.call('ZADD', KEYS[2], now + lease, ARGV[5])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return '0'
"""
)

# ARGV[5]: the ticket; ARGV[6]: what the provider says is left ('' = not told).
SETTLE = (
    _REFILLED
    + """
redis.call('ZREM', KEYS[2], ARGV[5])
local remaining = tonumber(ARGV[6])
if not remaining then
  return 0
end
local counted = math.max(0, math.min(burst, remaining - redis.call('ZCARD', KEYS[2])))
if told then
  counted = math.min(tokens, counted)
end
redis.call('HSET', KEYS[1], 'tokens', counted, 'updated', now, 'told', '1')
redis.call('EXPIRE', KEYS[1], ttl)
return 1
"""
)


def account_key(provider: str, endpoint: str, secret: str) -> str:
    """The Redis key of one provider account's bucket (a digest, never the secret)."""
    digest = hashlib.sha256(f"{endpoint.rstrip('/')}\n{secret}".encode()).hexdigest()[:32]
    # One hash slot for the bucket and its requests in flight, should Redis be a cluster.
    return f"hostplane:budget:{{{provider}:{digest}}}"


@functools.cache
def redis_client(url: str) -> Redis:
    """One connection pool per process and URL; failures reach the caller at once."""
    return Redis.from_url(
        url,
        socket_connect_timeout=2.0,
        socket_timeout=2.0,
        # One quiet retry for a pooled connection that a Redis restart closed.
        retry=Retry(NoBackoff(), 1),
    )


class SharedBudget:
    """A budget every process calling the account shares, kept in Redis."""

    def __init__(
        self,
        client: Redis,
        key: str,
        pace: Pace,
        lease_s: float = 120.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.pace = pace
        self.key = key
        self._keys = [key, f"{key}:in-flight"]
        self._lease_s = lease_s
        # None: Redis's clock. Tests pass one of their own to check the arithmetic.
        self._clock = clock
        self._take = client.register_script(TAKE)
        self._settle = client.register_script(SETTLE)

    def try_take(self, ticket: str) -> float:
        """Spend a token for `ticket` if there is one (0.0); else the seconds until there is."""
        return float(self._take(keys=self._keys, args=[*self._args(), ticket]))

    def take(self) -> str:
        ticket = uuid.uuid4().hex
        failures = 0
        while True:
            try:
                wait_s = self.try_take(ticket)
            except RedisError as error:
                failures += 1
                wait_s = self._unreachable(error, failures)
            else:
                if failures:
                    log.info("budget %s: Redis answers again", self.key)
                    failures = 0
                if wait_s == 0:
                    return ticket
                # Waiters woken together would all ask at once; spread them a little.
                wait_s *= random.uniform(1.0, 1.2)
            time.sleep(wait_s)

    def settle(self, ticket: str, remaining: int | None) -> None:
        told = "" if remaining is None else str(remaining)
        try:
            self._settle(keys=self._keys, args=[*self._args(), ticket, told])
        except RedisError as error:
            log.warning("budget %s: Redis unreachable, request not settled: %s", self.key, error)

    def _args(self) -> list[str | float]:
        now = "" if self._clock is None else repr(self._clock())
        return [self.pace.rate_per_s, self.pace.burst, self._lease_s, now]

    def _unreachable(self, error: RedisError, failures: int) -> float:
        """Log the outage (its start, then every 20th try) and back off, up to 5 s."""
        if failures == 1 or failures % 20 == 0:
            log.warning(
                "budget %s: Redis unreachable (try %d), the request waits: %s",
                self.key,
                failures,
                error,
            )
        return min(5.0, 0.05 * 2.0 ** min(failures, 7)) * random.uniform(0.5, 1.0)


def budget_for(redis_url: str, provider: str, endpoint: str, secret: str, pace: Pace) -> Budget:
    """The account's budget: shared through Redis when `redis_url` is set, else this process's."""
    if not redis_url:
        return RequestBudget(pace)
    return SharedBudget(redis_client(redis_url), account_key(provider, endpoint, secret), pace)
