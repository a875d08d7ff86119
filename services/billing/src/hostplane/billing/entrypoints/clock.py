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
from uuid import UUID, uuid5

from hostplane.billing.adapters.clock import Clock
from hostplane.billing.adapters.due_work import DueWork
from hostplane.billing.domain.dunning import DunningSchedule, due_steps
from hostplane.contracts.commands import billing as commands
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE
from hostplane.contracts.topics import BILLING_COMMANDS
from hostplane.messaging.commands import OutgoingCommand
from hostplane.messaging.kafka import make_producer
from hostplane.messaging.leadership import Leadership
from hostplane.messaging.producer import Producer
from hostplane.messaging.settings import InfraSettings

log = logging.getLogger(__name__)


def renewal_commands(work: DueWork, clock: Clock) -> list[OutgoingCommand]:
    now = clock.now()
    return [
        OutgoingCommand(
            commands.RenewSubscription(
                tenant_id=due.tenant_id, subscription_id=due.id, period_end=due.period_end
            ),
            BILLING_COMMANDS,
            due.id,
            uuid5(HOSTPLANE_NAMESPACE, f"renew:{due.id}:{due.period_end.isoformat()}"),
        )
        for due in work.renewals(now)
    ]


def dunning_commands(
    work: DueWork, clock: Clock, schedule: DunningSchedule
) -> list[OutgoingCommand]:
    """One command per invoice whose latest due step is new (it runs every step due)."""
    now = clock.now()
    sent = []
    for invoice in work.unpaid(now):
        steps = due_steps(schedule, invoice.due_at, now, ())
        if not steps:
            continue
        latest = steps[-1]
        sent.append(
            OutgoingCommand(
                commands.RunDunning(
                    tenant_id=invoice.tenant_id, invoice_id=invoice.id, step=latest
                ),
                BILLING_COMMANDS,
                invoice.id,
                uuid5(HOSTPLANE_NAMESPACE, f"dunning:{invoice.id}:{latest}"),
            )
        )
    return sent


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
    due = await asyncio.to_thread(renewal_commands, work, clock)
    due += await asyncio.to_thread(dunning_commands, work, clock, schedule)
    sent.intersection_update(c.command_id for c in due)
    fresh = [c for c in due if c.command_id not in sent]
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
