"""The gateway's PostgreSQL pool: read models in `views`, and its own `gateway` schema."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID
from weakref import WeakKeyDictionary

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import BaseRowFactory, class_row, scalar_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from hostplane.gateway.application.cloudvps.ports import Refreshed
from hostplane.gateway.application.ports import IdempotentClaim
from hostplane.messaging.eventstore import until_database_answers

# The gateway's own runtime state (no domain state): signatures and one-time tokens already
# used, so a replay inside their validity window is refused on every replica; mPanel's
# Idempotency-Keys, each naming the resource its first request made; CloudVPS's refresh
# tokens, each good once, revoked by their session.
# Replicas starting together take turns (concurrent `IF NOT EXISTS` DDL can still collide).
GATEWAY_DDL = """
SELECT pg_advisory_xact_lock(hashtext('hostplane:schema:gateway'));
CREATE SCHEMA IF NOT EXISTS gateway;
CREATE TABLE IF NOT EXISTS gateway.used_tokens (
    digest     text PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS used_tokens_expiry ON gateway.used_tokens (expires_at);
CREATE TABLE IF NOT EXISTS gateway.idempotency_keys (
    key         text PRIMARY KEY,
    body_sha256 text NOT NULL,
    resource_id uuid NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON gateway.idempotency_keys (expires_at);
CREATE TABLE IF NOT EXISTS gateway.refresh_tokens (
    id         uuid PRIMARY KEY,  -- a digest of the token, never the token
    session_id uuid NOT NULL,
    user_id    uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS refresh_tokens_session ON gateway.refresh_tokens (session_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON gateway.refresh_tokens (user_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_expiry ON gateway.refresh_tokens (expires_at);
"""


# A connection idle longer than this is pinged before use; a busy one is known to work.
IDLE_CHECK_S = 1.0


class _IdleCheck:
    """Replaces a connection broken by a database restart, without a ping per request."""

    def __init__(self) -> None:
        self._returned: WeakKeyDictionary[AsyncConnection[Any], float] = WeakKeyDictionary()

    async def check(self, conn: AsyncConnection[Any]) -> None:
        if time.monotonic() - self._returned.get(conn, 0.0) > IDLE_CHECK_S:
            await AsyncConnectionPool.check_connection(conn)

    async def returned(self, conn: AsyncConnection[Any]) -> None:
        self._returned[conn] = time.monotonic()


Claim = tuple[str, int]
Row = TypeVar("Row")


@dataclass(frozen=True)
class _KeyRow:
    body_sha256: str
    resource_id: UUID


class Batcher:
    """Hands concurrent claims to `write` together: one call per batch, batches in turn.

    A token claimed twice in one batch is granted to the first claim only.
    """

    def __init__(self, write: Callable[[list[Claim]], Awaitable[set[str]]]) -> None:
        self._write = write
        self._pending: list[tuple[Claim, asyncio.Future[bool]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def claim(self, digest: str, ttl_s: int) -> bool:
        granted: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append(((digest, ttl_s), granted))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await granted

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            distinct = list(dict(claim for claim, _ in batch).items())
            try:
                fresh = await self._write(distinct)
            except Exception as error:
                for _, granted in batch:
                    if not granted.done():  # its request may have gone meanwhile
                        granted.set_exception(error)
                continue
            for (digest, _), granted in batch:
                if not granted.done():
                    granted.set_result(digest in fresh)
                fresh.discard(digest)  # a second claim of the token in this batch is refused


@until_database_answers
def create_schema(database_url: str) -> None:
    """Create the gateway's schema and tables (`python -m hostplane.schema`)."""
    with psycopg.connect(database_url) as conn:
        conn.execute(GATEWAY_DDL)


class Database:
    def __init__(self, database_url: str, pool_size: int = 20, create_schema: bool = True) -> None:
        """`create_schema`: make the gateway's tables on `open` (False: SCHEMA_SETUP=external)."""
        self._create_schema = create_schema
        idle = _IdleCheck()
        self.pool = AsyncConnectionPool(
            database_url,
            min_size=1,
            max_size=pool_size,
            open=False,
            kwargs={"autocommit": True},
            check=idle.check,
            reset=idle.returned,
        )
        self._used_tokens = Batcher(self._record_used)

    async def open(self) -> None:
        """Open the pool and create the gateway's tables, waiting for PostgreSQL if needed."""
        await self.pool.open()
        if not self._create_schema:
            return
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type((psycopg.OperationalError, PoolTimeout)),
            wait=wait_exponential(multiplier=0.2, max=5),
            stop=stop_after_delay(120),
            reraise=True,
        ):
            with attempt:
                async with self.pool.connection() as conn, conn.transaction():
                    await conn.execute(GATEWAY_DDL)

    async def close(self) -> None:
        await self.pool.close()

    async def reachable(self) -> bool:
        """Whether the database answers within two seconds."""
        try:
            async with self.pool.connection(timeout=2) as conn:
                await conn.execute("SELECT 1")
        except Exception:
            return False
        return True

    async def one(self, row: BaseRowFactory[Row], query: str, params: Any = ()) -> Row | None:
        """The first row of a query, made by `row` (e.g. `class_row(SomeRow)`)."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=row) as cursor:
            await cursor.execute(query, params)
            return await cursor.fetchone()

    async def all(self, row: BaseRowFactory[Row], query: str, params: Any = ()) -> list[Row]:
        """Every row of a query, made by `row`."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=row) as cursor:
            await cursor.execute(query, params)
            return await cursor.fetchall()

    async def first_use(self, key: str, ttl_s: int) -> bool:
        """Record a signature or token as used; False if it was used and has not expired.

        Concurrent requests share one statement: those arriving while a batch is written go
        in the next one, so there is one round trip and one commit per batch.
        """
        return await self._used_tokens.claim(key, ttl_s)

    async def _record_used(self, claims: list[Claim]) -> set[str]:
        """Insert a batch of distinct tokens; returns those that were not in use."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=scalar_row) as cursor:
            await cursor.execute(
                "INSERT INTO gateway.used_tokens AS used (digest, expires_at) "
                "SELECT digest, now() + make_interval(secs => ttl) "
                "FROM unnest(%s::text[], %s::int[]) AS claim(digest, ttl) "
                "ON CONFLICT (digest) DO UPDATE SET expires_at = EXCLUDED.expires_at "
                "WHERE used.expires_at < now() RETURNING digest",
                ([digest for digest, _ in claims], [ttl for _, ttl in claims]),
            )
            return {str(digest) for digest in await cursor.fetchall()}

    async def claim(
        self, key: str, body_sha256: str, resource_id: UUID, ttl_s: int
    ) -> IdempotentClaim:
        """Record an Idempotency-Key's first use, or read what its first use recorded.

        Of concurrent first uses, one inserts; the others wait for it on the key's unique
        index, then read its row (in a statement of their own, which sees it committed).
        """
        async with (
            self.pool.connection() as conn,
            conn.cursor(row_factory=class_row(_KeyRow)) as cursor,
        ):
            while True:  # again only if the key expired and was swept between the two
                await cursor.execute(
                    "INSERT INTO gateway.idempotency_keys AS k "
                    "(key, body_sha256, resource_id, expires_at) "
                    "VALUES (%s, %s, %s, now() + make_interval(secs => %s)) "
                    "ON CONFLICT (key) DO UPDATE SET body_sha256 = EXCLUDED.body_sha256, "
                    "resource_id = EXCLUDED.resource_id, expires_at = EXCLUDED.expires_at "
                    "WHERE k.expires_at < now() RETURNING body_sha256, resource_id",
                    (key, body_sha256, resource_id, ttl_s),
                )
                if row := await cursor.fetchone():
                    return IdempotentClaim(row.resource_id, row.body_sha256, fresh=True)
                await cursor.execute(
                    "SELECT body_sha256, resource_id FROM gateway.idempotency_keys WHERE key = %s",
                    (key,),
                )
                if row := await cursor.fetchone():
                    return IdempotentClaim(row.resource_id, row.body_sha256, fresh=False)

    async def forget_expired(self) -> int:
        """Drop used tokens, Idempotency-Keys and refresh tokens past their expiry (a token
        could no longer be replayed; a key names a new order again)."""
        async with self.pool.connection() as conn:
            tokens = await conn.execute("DELETE FROM gateway.used_tokens WHERE expires_at < now()")
            keys = await conn.execute(
                "DELETE FROM gateway.idempotency_keys WHERE expires_at < now()"
            )
            refresh = await conn.execute(
                "DELETE FROM gateway.refresh_tokens WHERE expires_at < now()"
            )
            return tokens.rowcount + keys.rowcount + refresh.rowcount

    # ---- CloudVPS's refresh tokens (`RefreshTokens`) ---------------------------------------

    async def issue(self, token_id: UUID, session_id: UUID, user_id: UUID, ttl_s: int) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO gateway.refresh_tokens (id, session_id, user_id, expires_at) "
                "VALUES (%s, %s, %s, now() + make_interval(secs => %s))",
                (token_id, session_id, user_id, ttl_s),
            )

    async def take(self, token_id: UUID) -> Refreshed | None:
        """Use the token up, in one statement: of two concurrent uses one wins; a token used
        before revokes its session."""
        async with self.pool.connection() as conn, conn.transaction():
            taken = await (
                await conn.execute(
                    "UPDATE gateway.refresh_tokens SET used_at = now() WHERE id = %s "
                    "AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now() "
                    "RETURNING session_id, user_id",
                    (token_id,),
                )
            ).fetchone()
            if taken is not None:
                return Refreshed(taken[0], taken[1])
            await conn.execute(
                "UPDATE gateway.refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL "
                "AND session_id = (SELECT session_id FROM gateway.refresh_tokens "
                "WHERE id = %s AND used_at IS NOT NULL)",
                (token_id,),
            )
            return None

    async def revoke_session(self, session_id: UUID) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE gateway.refresh_tokens SET revoked_at = now() "
                "WHERE session_id = %s AND revoked_at IS NULL",
                (session_id,),
            )

    async def revoke_user(self, user_id: UUID, keep: UUID | None = None) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE gateway.refresh_tokens SET revoked_at = now() WHERE user_id = %s "
                "AND revoked_at IS NULL AND session_id IS DISTINCT FROM %s",
                (user_id, keep),
            )
