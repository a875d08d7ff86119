"""Billing wired through `bootstrap` in memory, with fake payments and a movable clock."""

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from hostplane.billing.application import Billing, handle_command
from hostplane.billing.bootstrap import bootstrap, translator
from hostplane.billing.settings import Settings
from hostplane.contracts.commands import billing as commands
from hostplane.contracts.secrets import SecretBox, new_key
from hostplane.messaging.clock import MovableClock
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.commands import OutgoingCommand
from hostplane.messaging.jobs import Job
from services.billing.tests.flows.fakes import FakePayments

START = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.settings = Settings(
            event_store="memory",
            config_secrets_key=new_key(),
            stripe_secret_key="sk_test_flows",
            admin_password="a-long-admin-password",
        )
        self.payments = FakePayments()
        self.clock = MovableClock(START)
        self.app: Billing = bootstrap(self.settings, self.payments, self.clock)
        self.box = SecretBox(self.settings.config_secrets_key)
        self.translate = translator(self.app)
        self._published = 0
        self.outbox: list[OutgoingEvent | OutgoingCommand] = []

    def send(self, command: commands.BillingCommand, job_id: UUID | None = None) -> Job:
        job_id = job_id or uuid4()
        handle_command(self.app, command, job_id, None)
        job: Job = self.app.repository.get(job_id)
        return job

    def publish(self) -> list[OutgoingEvent | OutgoingCommand]:
        """What the outbox relay would publish of what was stored since the last call."""
        new = self.app.process_recorder.select_notifications(self._published + 1, 10_000)
        for notification in new:
            outgoing = self.translate(self.app.mapper.to_domain_event(notification))
            if outgoing is not None:
                self.outbox.append(outgoing)
            self._published = notification.id
        return self.outbox


@pytest.fixture
def world() -> Iterator[World]:
    world = World()
    yield world
    world.app.close()
