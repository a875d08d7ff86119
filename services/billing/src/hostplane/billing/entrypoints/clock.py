"""Billing's timer: every tick, due renewals and dunning steps become commands.

Each command's id is derived from what it is for (a subscription and the period end it saw;
an invoice and the dunning step due), so ticks on every replica, or a tick repeated after a
crash, send the same jobs again and billing runs each once. The commands travel on
`billing.commands` keyed by their aggregate, so the work spreads over the replicas'
partitions.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from functools import partial
from uuid import UUID, uuid5

from hostplane.billing.adapters.due_work import DueRenewal, DueWork, UnpaidInvoice
from hostplane.billing.domain.dunning import DunningSchedule, due_steps
from hostplane.contracts.commands import billing as commands
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE
from hostplane.contracts.topics import BILLING_COMMANDS
from hostplane.messaging.clock import Clock
from hostplane.messaging.commands import OutgoingCommand
from hostplane.messaging.kafka import make_producer
from hostplane.messaging.leadership import Leadership
from hostplane.messaging.producer import Producer
from hostplane.messaging.settings import InfraSettings

log = logging.getLogger(__name__)


# A command to send, built only if it was not sent before: (its id, how to build it).
Due = tuple[UUID, Callable[[], OutgoingCommand]]


def due_renewals(work: DueWork, clock: Clock) -> list[Due]:
    """One renewal per live subscription whose period has ended."""
    return [
        (
            uuid5(HOSTPLANE_NAMESPACE, f"renew:{due.id}:{due.period_end.isoformat()}"),
            partial(_renewal, due),
        )
        for due in work.renewals(clock.now())
    ]


def _renewal(due: DueRenewal) -> OutgoingCommand:
    return OutgoingCommand(
        commands.RenewSubscription(
            tenant_id=due.tenant_id, subscription_id=due.id, period_end=due.period_end
        ),
        BILLING_COMMANDS,
        due.id,
        uuid5(HOSTPLANE_NAMESPACE, f"renew:{due.id}:{due.period_end.isoformat()}"),
    )


def due_dunning(work: DueWork, clock: Clock, schedule: DunningSchedule) -> list[Due]:
    """One command per invoice whose latest due step is new (it runs every step due)."""
    now = clock.now()
    due: list[Due] = []
    for invoice in work.unpaid(now):
        steps = due_steps(schedule, invoice.due_at, now, ())
        if steps:
            due.append(
                (
                    uuid5(HOSTPLANE_NAMESPACE, f"dunning:{invoice.id}:{steps[-1]}"),
                    partial(_dunning, invoice, steps[-1]),
                )
            )
    return due


def _dunning(invoice: UnpaidInvoice, step: str) -> OutgoingCommand:
    return OutgoingCommand(
        commands.RunDunning(tenant_id=invoice.tenant_id, invoice_id=invoice.id, step=step),
        BILLING_COMMANDS,
        invoice.id,
        uuid5(HOSTPLANE_NAMESPACE, f"dunning:{invoice.id}:{step}"),
    )


async def tick(
    producer: Producer,
    topic_prefix: str,
    work: DueWork,
    clock: Clock,
    schedule: DunningSchedule,
    sent: set[UUID],
) -> int:
    """Find what is due now and send what was not sent before; returns how many commands
    were sent.

    `sent` holds the ids of commands the broker took in this term: what is due stays due
    until its command is carried out and projected, and sending it again every tick would
    only queue repeats ahead of new work. An id leaves `sent` once its work is no longer due.
    """
    due = await asyncio.to_thread(due_renewals, work, clock)
    due += await asyncio.to_thread(due_dunning, work, clock, schedule)
    sent.intersection_update(command_id for command_id, _ in due)
    fresh = [build() for command_id, build in due if command_id not in sent]
    deliveries = [
        await producer.send(topic_prefix + c.topic.name, c.value, c.key, c.headers) for c in fresh
    ]
    await asyncio.gather(*deliveries)
    sent.update(c.command_id for c in fresh)
    return len(fresh)


class BillingTimer:
    """Ticks while leading (`billing-clock:<schema>`); another replica takes over if it dies.

    Led rather than run everywhere only to spare the broker: a tick on every replica would
    send each command once per replica, and billing would still run each once.
    """

    def __init__(
        self,
        settings: InfraSettings,
        work: DueWork,
        clock: Clock,
        schedule: DunningSchedule,
        interval_s: float,
    ) -> None:
        self._settings = settings
        self._work, self._clock, self._schedule = work, clock, schedule
        self._interval_s = interval_s
        self.leadership = Leadership(settings.database_url, "billing-clock:billing")

    async def run(self) -> None:
        producer = make_producer(self._settings.kafka_bootstrap_servers, "billing-clock")
        await producer.start()
        try:
            while True:
                await self.leadership.lead()
                try:
                    await self._tick_while_leading(producer)
                finally:
                    await self.leadership.step_down()
        finally:
            await producer.stop()

    async def _tick_while_leading(self, producer: Producer) -> None:
        sent: set[UUID] = set()  # a new term sends what is due once more
        while self.leadership.leading:
            try:
                count = await tick(
                    producer,
                    self._settings.topic_prefix,
                    self._work,
                    self._clock,
                    self._schedule,
                    sent,
                )
                if count:
                    log.info("billing clock at %s: %d commands", self._clock.now(), count)
            except Exception:
                log.exception("billing clock tick failed; the next tick tries again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.leadership.lost(), self._interval_s)
