"""The dispatcher: every replica sends due deliveries, woken the moment one is queued.

Each replica listens on PostgreSQL's `webhooks_due` channel (notified by the transaction that
queues a delivery or redelivers one) and looks again whenever an attempt is recorded (it may
have freed the next delivery of its key), or every `WEBHOOKS_POLL_S` at the latest (retries
become due by the clock alone). Claims skip rows another replica holds, so replicas share the
work without a leader.
"""

import asyncio
import contextlib
import logging
import random
from datetime import timedelta

import prometheus_client
import psycopg
from psycopg import sql

from hostplane.contracts.secrets import SecretBox
from hostplane.messaging.clock import Clock
from hostplane.webhooks.adapters.deliveries import Attempt, Claimed, claim, record
from hostplane.webhooks.adapters.sender import HttpSender
from hostplane.webhooks.adapters.store import DUE_CHANNEL, WebhookStore
from hostplane.webhooks.domain.endpoints import signing
from hostplane.webhooks.domain.signing import signature_headers
from hostplane.webhooks.domain.verdicts import Answer, judge

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
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._sender = sender
        self._box = box
        self._clock = clock
        self._lease = timedelta(seconds=timeout_s) + LEASE_MARGIN
        self._concurrency = concurrency
        self._poll_s = poll_s
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Send due deliveries until cancelled."""
        listening = asyncio.create_task(self._listen(), name="webhooks-listen")
        try:
            while True:
                self._wake.clear()
                free = self._concurrency - len(self._in_flight)
                claimed = await asyncio.to_thread(self._claim, free) if free > 0 else []
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
            await self._sender.close()

    def _claim(self, limit: int) -> list[Claimed]:
        now = self._clock.now()
        with self._store.transaction() as cur:
            return claim(cur, now, limit, now + self._lease)

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
        answer = Answer(sent.status, sent.retry_after)

        def store() -> None:
            now = self._clock.now()
            with self._store.transaction() as cur:
                verdict = record(
                    cur,
                    delivery,
                    attempt,
                    lambda since: judge(answer, delivery.round_attempts, now, since, self._rng),
                )
            if verdict is not None:
                ATTEMPTS.labels(verdict.status.value).inc()
                if verdict.disabled_reason:
                    log.warning(
                        "webhook endpoint %s disabled: %s",
                        delivery.endpoint_id,
                        verdict.disabled_reason,
                    )

        await asyncio.to_thread(store)

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
