"""The billing timer sends each due renewal and dunning step once a term, and forgets what is
no longer due."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from hostplane.billing.adapters.due_work import DueRenewal, UnpaidInvoice
from hostplane.billing.domain.dunning import DunningSchedule
from hostplane.billing.entrypoints.clock import tick
from hostplane.messaging.clock import MovableClock

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SCHEDULE = DunningSchedule()  # retries at +1, +3 and +7 days


class Broker:
    """Takes every message at once, and remembers it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    async def send(self, topic: str, value: bytes, key: bytes, headers: Any) -> Any:
        self.sent.append((topic, key))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class Due:
    def __init__(self) -> None:
        self.renewing: list[DueRenewal] = []
        self.unpaid_invoices: list[UnpaidInvoice] = []

    def renewals(self, now: datetime) -> list[DueRenewal]:
        return self.renewing

    def unpaid(self, now: datetime) -> list[UnpaidInvoice]:
        return self.unpaid_invoices


def _tick(broker: Broker, due: Due, clock: MovableClock, sent: set[UUID]) -> int:
    return asyncio.run(tick(broker, "t.", due, clock, SCHEDULE, sent))  # type: ignore[arg-type]


def test_what_is_still_due_is_not_sent_again_in_the_same_term() -> None:
    broker, due, clock, sent = Broker(), Due(), MovableClock(NOW), set[UUID]()
    due.renewing = [DueRenewal(uuid4(), uuid4(), NOW - timedelta(hours=1)) for _ in range(3)]
    due.unpaid_invoices = [UnpaidInvoice(uuid4(), uuid4(), NOW - timedelta(days=2))]

    assert _tick(broker, due, clock, sent) == 4
    assert _tick(broker, due, clock, sent) == 0  # carried out, not projected yet
    assert {topic for topic, _ in broker.sent} == {"t.billing.commands"}

    clock.move(timedelta(days=2))  # the invoice's next dunning step is a new command
    assert _tick(broker, due, clock, sent) == 1

    assert _tick(broker, due, clock, set()) == 4  # a new term (another leader) sends again


def test_work_that_left_and_came_back_is_sent_again() -> None:
    broker, due, clock, sent = Broker(), Due(), MovableClock(NOW), set[UUID]()
    renewal = DueRenewal(uuid4(), uuid4(), NOW - timedelta(hours=1))
    due.renewing = [renewal]
    assert _tick(broker, due, clock, sent) == 1
    due.renewing = []
    assert _tick(broker, due, clock, sent) == 0
    assert sent == set()
    due.renewing = [renewal]
    assert _tick(broker, due, clock, sent) == 1
    assert [key for _, key in broker.sent] == [str(renewal.id).encode()] * 2
