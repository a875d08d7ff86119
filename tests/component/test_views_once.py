"""The read models apply each event once, also when it is published again at a later offset."""

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import psycopg
import pytest

from hostplane.contracts import events as e
from hostplane.messaging.eventstore import Position
from hostplane.metrics.adapters.store import ViewStore
from tests.conftest import Infra


@pytest.fixture
def store(infra: Infra, schema: str) -> Iterator[ViewStore]:
    views = ViewStore(infra.database_url, schema)
    views.create_schema()
    yield views
    views.close()
    with psycopg.connect(infra.database_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def at(offset: int, job_id: str, version: int) -> Position:
    return Position("jobs.events", 0, offset, versions=((job_id, version),))


def job(store: ViewStore, job_id: str) -> tuple[str, str] | None:
    with psycopg.connect(store.database_url) as conn:
        row = conn.execute(
            f'SELECT status, result::text FROM "{store.schema}".jobs WHERE id = %s', (job_id,)
        ).fetchone()
    return (row[0], row[1]) if row else None


def test_a_republished_job_event_changes_nothing(store: ViewStore) -> None:
    job_id, now = uuid4(), datetime.now(UTC)
    started = e.JobStarted(
        occurred_at=now, job_id=job_id, command="SuspendInstance", instance_id=None
    )
    succeeded = e.JobSucceeded(occurred_at=now, job_id=job_id, result={"status": "suspended"})
    first = store.apply_batch(
        [at(0, str(job_id), 1), at(1, str(job_id), 2)], [(started, 1), (succeeded, 2)]
    )
    assert first == 2
    assert job(store, str(job_id)) == ("succeeded", '{"status": "suspended"}')

    # Another relay took over and published the same two events again, then one more job's.
    other = uuid4()
    again = store.apply_batch(
        [at(2, str(job_id), 1), at(3, str(job_id), 2), at(4, str(other), 1)],
        [
            (started, 1),
            (e.JobSucceeded(occurred_at=now, job_id=job_id, result={"status": "active"}), 2),
            (
                e.JobStarted(
                    occurred_at=now, job_id=other, command="RebootInstance", instance_id=None
                ),
                1,
            ),
        ],
    )
    assert again == 1
    assert job(store, str(job_id)) == ("succeeded", '{"status": "suspended"}')
    assert job(store, str(other)) is not None
    assert store.next_offset("jobs.events", 0) == 5
