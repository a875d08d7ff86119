"""Numbering turns on the real PostgreSQL: two replicas' turns never overlap, and a turn
whose connection was lost gives the lock back and the next one connects again."""

import threading
import time
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest

from hostplane.billing.adapters.numbering import NumberingTurns
from tests.conftest import Infra


@pytest.fixture
def replicas(infra: Infra) -> Iterator[tuple[NumberingTurns, NumberingTurns]]:
    schema = f"billing_{uuid4().hex[:8]}"  # a lock of its own, apart from running stacks
    one, two = (
        NumberingTurns(infra.database_url, schema),
        NumberingTurns(infra.database_url, schema),
    )
    yield one, two
    one.close()
    two.close()


def test_two_replicas_take_turns(replicas: tuple[NumberingTurns, NumberingTurns]) -> None:
    """Each turn reads the series, works a little, and writes the next number: turns that
    overlapped would take the same number twice."""
    one, two = replicas
    series = {"last": 0}
    taken: list[int] = []

    def number(turns: NumberingTurns) -> None:
        for _ in range(50):
            with turns:
                last = series["last"]
                time.sleep(0.001)  # the read-to-save window of a numbering command
                series["last"] = last + 1
                taken.append(last + 1)

    workers = [threading.Thread(target=number, args=(t,)) for t in (one, two, one, two)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(taken) == list(range(1, 201))


def test_a_lost_connection_gives_the_turn_back(
    infra: Infra, replicas: tuple[NumberingTurns, NumberingTurns]
) -> None:
    one, two = replicas
    with one:
        pid = one._connection.info.backend_pid  # type: ignore[union-attr]
        with psycopg.connect(infra.database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    taken = threading.Event()

    def take() -> None:
        with two:
            taken.set()

    other = threading.Thread(target=take)
    other.start()
    assert taken.wait(10)  # the lock went with the lost session
    other.join()
    with one:  # and the first replica numbers again, on a new connection
        assert one._connection is not None and one._connection.info.backend_pid != pid
