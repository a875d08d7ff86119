"""The outbox relay: follows a service's notification log and publishes it to Kafka.

Events are stored first and published after, never both in one breath. The relay remembers
the last published notification as a tracking record; after a crash it republishes from
there, and subscribers deduplicate on aggregate id and version.

Every replica of a service runs a relay, and exactly one publishes: the one that leads
(`Leadership`, an advisory lock). The others stand by and take over when the leader dies or
loses its database connection. The tracking record fences the rest: it only moves forward, so
a relay whose position was passed by another (or whose commit answer was lost) has its
insert refused; it then stops publishing, re-reads its position and campaigns again, and
never publishes the same position twice. Across a takeover at most the batch in flight is
published again.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Tracking

from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.commands import OutgoingCommand
from hostplane.messaging.eventstore import TrackedApplication
from hostplane.messaging.leadership import Leadership
from hostplane.messaging.observability import publishing
from hostplane.messaging.producer import Producer

log = logging.getLogger(__name__)

# A stored event as it leaves: an event, a command for another service, or nothing.
Translate = Callable[[DomainEventProtocol[Any]], OutgoingEvent | OutgoingCommand | None]

OUTBOX_STREAM = "outbox"
RETRY_MIN_S = 0.2
RETRY_MAX_S = 5.0


class OutboxRelay:
    def __init__(
        self,
        app: TrackedApplication,
        producer: Producer,
        translate: Translate,
        topic_prefix: str = "",
        batch_size: int = 500,
        idle_poll_s: float = 1.0,
        database_url: str | None = None,
    ) -> None:
        """`database_url`: where the replicas campaign; the lead lock is named after the
        application's schema. Without it this relay assumes it is alone (tests, tools)."""
        self._app = app
        self._producer = producer
        self._translate = translate
        self._topic_prefix = topic_prefix
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        self._wake = asyncio.Event()
        self.published = 0
        self._position: int | None = None
        self.leadership = (
            Leadership(
                database_url,
                f"outbox:{app.schema}",
                listen=app.notify_channel,
                on_notify=self._wake.set,
            )
            if database_url
            else None
        )

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wake the relay as soon as the application stores events (from any thread)."""

        def wake() -> None:
            loop.call_soon_threadsafe(self._wake.set)

        self._app.on_saved(wake)

    @property
    def leading(self) -> bool:
        return self.leadership is None or self.leadership.leading

    async def run(self) -> None:
        """Lead, publish while leading, and campaign again after losing the lead."""
        while True:
            if self.leadership is not None:
                await self.leadership.lead()
            try:
                await self._publish_while_leading()
            finally:
                self._position = None
                if self.leadership is not None:
                    await self.leadership.step_down()

    async def _publish_while_leading(self) -> None:
        """Publish forever; each batch is acknowledged by Kafka before its position is kept.

        While Kafka or PostgreSQL is unreachable the relay backs off and re-reads its position
        (a commit whose answer was lost may have stored it); events are late, never lost, and
        never skipped.
        """
        recorder = self._app.process_recorder
        position: int | None = None
        delay = RETRY_MIN_S
        while self.leading:
            try:
                if position is None:
                    position = await asyncio.to_thread(recorder.max_tracking_id, OUTBOX_STREAM) or 0
                position = await self._relay_batch(position)
                delay = RETRY_MIN_S
            except IntegrityError:
                log.warning(
                    "outbox position after %s was already recorded (by another relay, or by a "
                    "commit whose answer was lost): stopping, to re-read it and campaign again",
                    position,
                )
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying in %.1f s", delay)
                position = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    async def _relay_batch(self, position: int) -> int:
        """Publish what follows `position`, or wait for news; returns the new position."""
        recorder = self._app.process_recorder
        self._wake.clear()
        notifications = await asyncio.to_thread(
            recorder.select_notifications, position + 1, self._batch_size
        )
        if not notifications:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_poll_s)
            return position
        deliveries = []
        for notification in notifications:
            event, traceparent = self._app.traced_mapper.to_traced_event(notification)
            outgoing = self._translate(event)
            if outgoing is None:
                continue
            topic = self._topic_prefix + outgoing.topic.name
            with publishing(topic, parent=traceparent) as trace_headers:
                deliveries.append(
                    await self._producer.send(
                        topic, outgoing.value, outgoing.key, outgoing.headers + trace_headers
                    )
                )
        await asyncio.gather(*deliveries)
        if not self.leading:
            return position  # the new leader records it (and may publish it once more)
        last = notifications[-1].id
        await asyncio.to_thread(recorder.insert_tracking, Tracking(OUTBOX_STREAM, last))
        self.published += len(deliveries)
        self._position = last
        return last

    def backlog(self) -> float:
        """Stored events not yet published (read when Prometheus scrapes; 0 when standing by)."""
        if self._position is None:
            return 0.0
        latest = self._app.process_recorder.max_notification_id() or 0
        return float(max(latest - self._position, 0))
