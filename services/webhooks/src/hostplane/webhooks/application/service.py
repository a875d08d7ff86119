"""The webhooks use cases: events become deliveries, commands change endpoints; each stored
with the Kafka position it consumed, in one transaction."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from psycopg import Cursor

from hostplane.contracts.commands.webhooks import WebhookCommand
from hostplane.messaging.clock import Clock
from hostplane.messaging.eventstore import Position
from hostplane.webhooks.adapters import customers, endpoints
from hostplane.webhooks.adapters.store import WebhookStore, advance, notify_due, resume_offset
from hostplane.webhooks.application.handlers import COMMAND_HANDLERS, CommandRefused, Context
from hostplane.webhooks.domain.events import (
    BillingCustomer,
    EventFilter,
    OutgoingWebhook,
    with_user,
)
from hostplane.webhooks.domain.targets import Resolver, check_target, resolve_with_dns
from hostplane.webhooks.domain.verdicts import DeliveryStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Arrived:
    """A consumed event: where it sits, its CloudEvents id, the webhook it becomes (None:
    endpoints do not hear of it) and the billing customer it tells of (None: none)."""

    position: Position
    source_id: str
    webhook: OutgoingWebhook | None
    customer: BillingCustomer | None = None


def delivery_id(endpoint_id: UUID, source_id: str) -> UUID:
    """A delivery's id (its `webhook-id`): one per endpoint and Hostplane event."""
    return uuid5(NAMESPACE_URL, f"hostplane:webhook:{endpoint_id}:{source_id}")


class Webhooks:
    """Endpoints and their deliveries, kept from `*.events` and `webhooks.commands`."""

    def __init__(
        self,
        store: WebhookStore,
        clock: Clock,
        allow_private_targets: bool,
        resolve: Resolver = resolve_with_dns,
    ) -> None:
        self.store = store
        self.clock = clock
        self._check_target = partial(
            check_target, allow_private=allow_private_targets, resolve=resolve
        )

    def next_offset(self, topic: str, partition: int) -> int | None:
        """Where a partition's consumption resumes."""
        return self.store.next_offset(topic, partition)

    def take_events(self, partition: Sequence[Arrived]) -> int:
        """Queue a delivery of each event to every enabled endpoint subscribed to it, for one
        partition's events in order; returns how many were queued. An event seen before (at
        an offset passed, or published again) queues nothing.

        The customers the events tell of are kept first; a webhook about a customer told of
        carries its account as `user_id` (or null: it has none) from the start, one about a
        customer not told of yet waits for it."""
        last = partition[-1].position
        now = self.clock.now()
        with self.store.transaction() as cur:
            resume = resume_offset(cur, last.stream)
            arrivals = [a for a in partition if a.position.offset >= resume]
            learnt = [a.customer for a in arrivals if a.customer]
            if learnt:
                customers.remember(cur, learnt)
                notify_due(cur)  # deliveries waiting for these customers can go
            fresh = [a for a in arrivals if a.webhook]
            subscribed = endpoints.subscriptions(cur) if fresh else []
            filters = [(s.id, EventFilter(patterns=tuple(s.events))) for s in subscribed]
            owners = {a.webhook.customer_id for a in fresh if a.webhook and a.webhook.customer_id}
            known = customers.known(cur, owners) if owners and filters else {}
            rows = []
            for arrived in fresh:
                assert arrived.webhook is not None
                event = arrived.webhook.payload.event
                targets = [endpoint for endpoint, f in filters if f.matches(event)]
                rows += _deliveries(arrived, arrived.webhook, targets, now, known)
            if rows:
                # One statement for the partition's batch, in its order: `seq` follows it.
                cur.executemany(QUEUE, rows)
                notify_due(cur)
            advance(cur, last)
        return len(rows)

    def handle_command(self, position: Position, command_id: UUID, command: WebhookCommand) -> bool:
        """Carry out a command once; False if its position or its id was handled before.

        A refused command is recorded as refused and changes nothing else.
        """
        with self.store.transaction() as cur:
            if position.offset < resume_offset(cur, position.stream):
                return False
            handled = _first_time(cur, command_id, command.type, self.clock)
            if handled:
                self._carry_out(cur, command_id, command)
            advance(cur, position)
        return handled

    def pass_over(self, position: Position) -> None:
        """Keep the position of a record that cannot be handled (malformed)."""
        with self.store.transaction() as cur:
            resume_offset(cur, position.stream)
            advance(cur, position)

    def close(self) -> None:
        self.store.close()

    def _carry_out(self, cur: Cursor[Any], command_id: UUID, command: WebhookCommand) -> None:
        ctx = Context(cur, self.clock.now(), self._check_target)
        cur.execute("SAVEPOINT command")
        try:
            COMMAND_HANDLERS[type(command)](ctx, command)
        except CommandRefused as refused:
            cur.execute("ROLLBACK TO SAVEPOINT command")
            log.info("%s %s refused: %s", command.type, command_id, refused)
            cur.execute(
                "UPDATE commands SET outcome = 'refused', error = %s WHERE id = %s",
                (str(refused), command_id),
            )
            return
        notify_due(cur)


def _first_time(cur: Cursor[Any], command_id: UUID, command_type: str, clock: Clock) -> bool:
    cur.execute(
        "INSERT INTO commands (id, type, outcome, handled_at) VALUES (%s, %s, 'applied', %s) "
        "ON CONFLICT (id) DO NOTHING RETURNING id",
        (command_id, command_type, clock.now()),
    )
    return cur.fetchone() is not None


QUEUE = (
    "INSERT INTO deliveries (id, endpoint_id, event, source_id, ordering_key, body, status, "
    "next_attempt_at, created_at, awaiting_owner) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (endpoint_id, source_id) DO NOTHING"
)


def _deliveries(
    arrived: Arrived,
    webhook: OutgoingWebhook,
    targets: list[UUID],
    now: datetime,
    known: dict[UUID, UUID | None],
) -> list[tuple[object, ...]]:
    if not targets:
        return []
    body, awaiting = webhook.payload.body(), webhook.customer_id
    if awaiting is not None and awaiting in known:
        # Told of: its account is written in now, or it has none; either way nothing waits.
        account_id, awaiting = known[awaiting], None
        if account_id is not None:
            body = with_user(body, account_id)
    return [
        (
            delivery_id(endpoint, arrived.source_id),
            endpoint,
            webhook.payload.event.value,
            arrived.source_id,
            webhook.ordering_key,
            body,
            DeliveryStatus.PENDING.value,
            now,
            now,
            awaiting,
        )
        for endpoint in targets
    ]
