"""The dispatcher: every replica sends due deliveries, woken the moment one is queued.

Each replica listens on PostgreSQL's `webhooks_due` channel (notified by the transaction that
queues a delivery or redelivers one) and looks again whenever an attempt is recorded (it may
have freed the next delivery of its key), or every `WEBHOOKS_POLL_S` at the latest (retries
become due by the clock alone). Claims skip rows another replica holds, so replicas share the
work without a leader.

Attempts that finish while others are being recorded are recorded together, in one
transaction, and the next claim follows each recording: a busy dispatcher commits and claims
once per batch rather than once per attempt. Its database work and target checks run on
threads of its own, so a burst of consumed events cannot hold up its sending.
"""

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TypeVar

import prometheus_client
import psycopg
from psycopg import sql

from hostplane.contracts.secrets import SecretBox
from hostplane.messaging.clock import Clock
from hostplane.webhooks.adapters.deliveries import Attempt, Claimed, Finished, claim, record
from hostplane.webhooks.adapters.sender import HttpSender
from hostplane.webhooks.adapters.store import DUE_CHANNEL, WebhookStore
from hostplane.webhooks.domain.endpoints import signing
from hostplane.webhooks.domain.signing import signature_headers
from hostplane.webhooks.domain.verdicts import Answer, Verdict, judge

log = logging.getLogger(__name__)

ATTEMPTS = prometheus_client.Counter(
    "hostplane_webhook_attempts", "Webhook delivery attempts, by what they decided", ["status"]
)
FIRST_ATTEMPT = prometheus_client.Histogram(
    "hostplane_webhook_first_attempt_seconds",
    "From a delivery's queueing to its first attempt",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10),
)
# Beyond the attempt's own timeout: how long a claim is ours before another replica may take it.
LEASE_MARGIN = timedelta(seconds=60)
RELISTEN_S = 1.0
T = TypeVar("T")


class Dispatcher:
    def __init__(
        self,
        store: WebhookStore,
        sender: HttpSender,
        box: SecretBox,
        clock: Clock,
        *,
        timeout_s: float,
        concurrency: int,
        poll_s: float,
        owner_wait_s: float,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._sender = sender
        self._box = box
        self._clock = clock
        self._lease = timedelta(seconds=timeout_s) + LEASE_MARGIN
        self._concurrency = concurrency
        self._poll_s = poll_s
        self._owner_wait = timedelta(seconds=owner_wait_s)
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        # Claims and recordings: one of each at a time, apart from the consumers' threads.
        self._database = ThreadPoolExecutor(2, thread_name_prefix="webhooks-dispatch")
        self._recorder = Recorder(lambda batch: self._off_loop(self._record, batch))

    async def run(self) -> None:
        """Send due deliveries until cancelled."""
        listening = asyncio.create_task(self._listen(), name="webhooks-listen")
        try:
            while True:
                self._wake.clear()
                free = self._concurrency - len(self._in_flight)
                claimed = await self._off_loop(self._claim, free) if free > 0 else []
                for delivery in claimed:
                    task = asyncio.create_task(self._attempt(delivery))
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                if free > 0 and len(claimed) == free:
                    continue  # there may be more due
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_s)
        finally:
            listening.cancel()
            for task in self._in_flight:
                task.cancel()
            await asyncio.gather(listening, *self._in_flight, return_exceptions=True)
            await self._recorder.close()
            await self._sender.close()
            self._database.shutdown(wait=False)

    async def _off_loop(self, work: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._database, work, *args)

    def _claim(self, limit: int) -> list[Claimed]:
        now = self._clock.now()
        with self._store.transaction() as cur:
            return claim(cur, now, limit, now + self._lease, self._owner_wait)

    async def _attempt(self, delivery: Claimed) -> None:
        try:
            await self._send(delivery)
        except Exception:
            # Its lease ends and it is attempted again; the dispatcher goes on with the rest.
            log.exception("attempting delivery %s failed", delivery.id)
        finally:
            self._wake.set()

    async def _send(self, delivery: Claimed) -> None:
        at = self._clock.now()
        if delivery.attempts == 1:
            FIRST_ATTEMPT.observe(max((at - delivery.created_at).total_seconds(), 0))
        secrets = [self._box.open(s) for s in signing(delivery.kept, at)]
        headers = signature_headers(delivery.body, str(delivery.id), at, secrets)
        sent = await self._sender.post(delivery.url, delivery.body, headers)
        attempt = Attempt(at, sent.status, sent.latency_ms, sent.error, sent.response)
        await self._recorder.record(Finished(delivery, attempt, sent.retry_after))

    def _record(self, batch: list[Finished]) -> None:
        now = self._clock.now()

        def judged(one: Finished, since: datetime | None) -> Verdict:
            answer = Answer(one.attempt.status, one.retry_after)
            return judge(answer, one.claimed.round_attempts, now, since, self._rng)

        with self._store.transaction() as cur:
            decided = record(cur, batch, judged)
        for one, verdict in decided:
            ATTEMPTS.labels(verdict.status.value).inc()
            if verdict.disabled_reason:
                log.warning(
                    "webhook endpoint %s disabled: %s",
                    one.claimed.endpoint_id,
                    verdict.disabled_reason,
                )

    async def _listen(self) -> None:
        """Wake the dispatcher on every notification; reconnect when the connection breaks."""
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self._store.database_url, autocommit=True
                )
                async with conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(DUE_CHANNEL)))
                    self._wake.set()  # what was queued while nobody listened
                    async for _ in conn.notifies():
                        self._wake.set()
            except psycopg.OperationalError as error:
                log.warning("listening for due webhooks failed (%s); again shortly", error)
                await asyncio.sleep(RELISTEN_S)


class Recorder:
    """Records finished attempts in batches: those that finish while a batch is being
    written wait, and go together in the next one. `record` returns once its attempt is
    stored, and raises what storing it raised."""

    def __init__(self, write: Callable[[list[Finished]], Awaitable[None]]) -> None:
        self._write = write
        self._waiting: list[tuple[Finished, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def record(self, finished: Finished) -> None:
        stored = asyncio.get_running_loop().create_future()
        self._waiting.append((finished, stored))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._drain(), name="webhooks-record")
        await stored

    async def close(self) -> None:
        if self._writing is not None:
            self._writing.cancel()
            await asyncio.gather(self._writing, return_exceptions=True)

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._write([finished for finished, _ in batch])
            except Exception as error:
                _settle(batch, error)
            else:
                _settle(batch, None)


def _settle(batch: list[tuple[Finished, asyncio.Future[None]]], error: Exception | None) -> None:
    for _, stored in batch:
        if stored.done():
            continue
        if error is None:
            stored.set_result(None)
        else:
            stored.set_exception(error)
