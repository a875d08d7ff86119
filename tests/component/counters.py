"""A small event-sourced application for the plumbing's tests, and its outbox relay as a
process of its own: `python -m tests.component.counters SCHEMA TOPIC_PREFIX`."""

import asyncio
import logging
import sys
from typing import Any

from eventsourcing.domain import Aggregate, event

from hostplane.contracts import events as contract
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.eventstore import TrackedApplication
from hostplane.messaging.kafka import make_producer
from hostplane.messaging.outbox import OutboxRelay
from hostplane.messaging.settings import InfraSettings


class Counter(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Incremented")
    def increment(self) -> None:
        self.count += 1


class Counters(TrackedApplication):
    name = "counters"


def as_job_event(domain_event: Any) -> OutgoingEvent | None:
    if not isinstance(domain_event, Counter.Incremented):
        return None
    return OutgoingEvent(
        payload=contract.JobSucceeded(
            occurred_at=domain_event.timestamp, job_id=domain_event.originator_id
        ),
        aggregate_id=domain_event.originator_id,
        version=domain_event.originator_version,
        source="hostplane/component-test",
    )


def counters(settings: InfraSettings, schema: str) -> Counters:
    return Counters(env=settings.eventsourcing_env(schema))


async def relay_forever(settings: InfraSettings, schema: str, prefix: str) -> None:
    """One replica's outbox relay: campaigns for the lead, publishes while it leads."""
    app = counters(settings, schema)
    producer = make_producer(settings.kafka_bootstrap_servers, client_id=f"relay-{schema}")
    await producer.start()
    relay = OutboxRelay(
        app, producer, as_job_event, prefix, idle_poll_s=0.2, database_url=settings.database_url
    )
    relay.attach(asyncio.get_running_loop())
    await relay.run()


if __name__ == "__main__":
    # Run as a module, this file is `__main__`; the events' classes are the importable ones.
    from tests.component import counters as importable

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(importable.relay_forever(InfraSettings(), sys.argv[1], sys.argv[2]))
