"""The Job aggregate: one command's outcome, in every service. Its id is the command id.

Seed 004's job model: `queued → running → succeeded | failed`, with `error_code`,
`error_message`, `started_at` and `finished_at`. A command is `queued` until its service takes
it up, which is when its Job is created (`running`); so a Job's own events begin at running,
and whoever reads jobs (the gateway) shows `queued` for a command whose job is not stored yet.

A service keeps its jobs beside its aggregates and saves a job's change in the same
transaction as the command's effect: a redelivered command finds its job and changes nothing.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import register_topic

from hostplane.contracts import events as contract


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(Aggregate):
    @staticmethod
    def create_id(job_id: UUID, **_: Any) -> UUID:
        return job_id

    class Started(Aggregate.Created):
        job_id: UUID
        command: str
        subject_id: UUID | None

        # Version 1 named the subject `instance_id`: provisioning's jobs were the only ones.
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["subject_id"] = state.pop("instance_id", None)

    @event(Started)
    def __init__(self, *, job_id: UUID, command: str, subject_id: UUID | None) -> None:
        self.command = command
        self.subject_id = subject_id  # the aggregate the command is for, if any
        self.status = JobStatus.RUNNING
        self.result: dict[str, Any] = {}
        self.error_code: str | None = None
        self.error_message: str | None = None
        self.finished_at: datetime | None = None

    @property
    def started_at(self) -> datetime:
        return self.created_on

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}

    def succeed(self, result: dict[str, Any] | None = None) -> None:
        """The command had its effect; `result` is what its caller may want to know."""
        if not self.finished:
            self._succeeded(result=result or {}, timestamp=datetime.now(UTC))

    @event("Succeeded")
    def _succeeded(self, result: dict[str, Any], timestamp: datetime) -> None:
        self.status = JobStatus.SUCCEEDED
        self.result = result
        self.finished_at = timestamp

    def fail(self, code: str, message: str, result: dict[str, Any] | None = None) -> None:
        """The command was refused or its effect failed for good; `result` says what it met
        (for a refusal, the state of its subject)."""
        if not self.finished:
            self._failed(
                code=code, message=message, result=result or {}, timestamp=datetime.now(UTC)
            )

    @event("Failed")
    def _failed(
        self, code: str, message: str, timestamp: datetime, result: dict[str, Any] | None = None
    ) -> None:
        self.status = JobStatus.FAILED
        self.error_code, self.error_message = code, message
        self.result = result or {}
        self.finished_at = timestamp


# Jobs were provisioning's own before every service had them: their stored events say so.
register_topic("hostplane.provisioning.domain.job:Job", Job)


PAYLOADS: dict[type[Any], Callable[[Any, datetime], contract.EventPayload]] = {
    Job.Started: lambda e, at: contract.JobStarted(
        occurred_at=at, job_id=e.originator_id, command=e.command, instance_id=e.subject_id
    ),
    Job.Succeeded: lambda e, at: contract.JobSucceeded(
        occurred_at=at, job_id=e.originator_id, result=e.result
    ),
    Job.Failed: lambda e, at: contract.JobFailed(
        occurred_at=at,
        job_id=e.originator_id,
        error_code=e.code,
        error_message=e.message,
        result=getattr(e, "result", None) or {},  # jobs failed before results were kept
    ),
}
"""How a service's jobs look on `jobs.events`; each service's outbox table includes these."""
