"""Finished attempts are recorded in batches: those that finish while one is being written
go together in the next, and each attempt learns whether its own was stored."""

import asyncio
import uuid
from datetime import UTC, datetime

from hostplane.webhooks.adapters.deliveries import Attempt, Claimed, Finished
from hostplane.webhooks.entrypoints.dispatcher import Recorder

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def finished() -> Finished:
    claimed = Claimed(uuid.uuid4(), uuid.uuid4(), "https://hooks.example.com", [], b"{}", 1, 1, NOW)
    return Finished(claimed, Attempt(NOW, 204, 3))


class Store:
    """Writes batches one at a time, each held until the test lets it go."""

    def __init__(self) -> None:
        self.batches: list[list[Finished]] = []
        self.proceed = asyncio.Event()
        self.fail = False

    async def write(self, batch: list[Finished]) -> None:
        self.batches.append(batch)
        await self.proceed.wait()
        if self.fail:
            raise ConnectionError("the database went away")


async def test_attempts_finishing_during_a_write_go_together_in_the_next() -> None:
    store = Store()
    recorder = Recorder(store.write)
    first = asyncio.create_task(recorder.record(finished()))
    await asyncio.sleep(0)
    later = [finished() for _ in range(3)]
    waiting = [asyncio.create_task(recorder.record(one)) for one in later]
    await asyncio.sleep(0)
    assert len(store.batches) == 1 and not first.done()

    store.proceed.set()
    await asyncio.gather(first, *waiting)

    assert [len(batch) for batch in store.batches] == [1, 3]
    assert store.batches[1] == later


async def test_a_failed_write_reaches_every_attempt_of_its_batch() -> None:
    store = Store()
    store.fail = True
    recorder = Recorder(store.write)
    attempts = [asyncio.create_task(recorder.record(finished())) for _ in range(2)]
    await asyncio.sleep(0)
    store.proceed.set()

    outcomes = await asyncio.gather(*attempts, return_exceptions=True)

    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)
    store.fail = False
    await recorder.record(finished())  # the recorder goes on after a failure
    assert [len(batch) for batch in store.batches] == [2, 1]
