"""The read models apply each event once, also when it is published again at a later offset."""

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from hostplane.contracts import events as e
from hostplane.messaging.eventstore import Position
from hostplane.metrics.application import Delivered, Metrics
from tests.component.read_models import metrics_on
from tests.conftest import Infra


@pytest.fixture
def metrics(infra: Infra, schema: str) -> Iterator[Metrics]:
    with metrics_on(infra, schema) as app:
        yield app


def at(offset: int, event: e.JobEvent, version: int) -> Delivered:
    position = Position("jobs.events", 0, offset, versions=((str(event.job_id), version),))
    return Delivered(position, event, version)


def job(infra: Infra, schema: str, job_id: str) -> tuple[str, str] | None:
    with psycopg.connect(infra.database_url) as conn:
        row = conn.execute(
            sql.SQL("SELECT status, result::text FROM {}.jobs WHERE id = %s").format(
                sql.Identifier(schema)
            ),
            (job_id,),
        ).fetchone()
    return (row[0], row[1]) if row else None


def test_a_republished_job_event_changes_nothing(
    infra: Infra, schema: str, metrics: Metrics
) -> None:
    job_id, now = uuid4(), datetime.now(UTC)
    started = e.JobStarted(
        occurred_at=now, job_id=job_id, command="SuspendInstance", instance_id=None
    )
    succeeded = e.JobSucceeded(occurred_at=now, job_id=job_id, result={"status": "suspended"})
    first = metrics.apply_events([at(0, started, 1), at(1, succeeded, 2)])
    assert first == 2
    assert job(infra, schema, str(job_id)) == ("succeeded", '{"status": "suspended"}')

    # Another relay took over and published the same two events again, then one more job's.
    other = e.JobStarted(
        occurred_at=now, job_id=uuid4(), command="RebootInstance", instance_id=None
    )
    again = metrics.apply_events(
        [
            at(2, started, 1),
            at(3, e.JobSucceeded(occurred_at=now, job_id=job_id, result={"status": "active"}), 2),
            at(4, other, 1),
        ]
    )
    assert again == 1
    assert job(infra, schema, str(job_id)) == ("succeeded", '{"status": "suspended"}')
    assert job(infra, schema, str(other.job_id)) is not None
    assert metrics.next_offset("jobs.events", 0) == 5
