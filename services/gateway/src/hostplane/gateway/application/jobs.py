"""Commands whose answer is their job's outcome: sent, then waited for within a bound."""

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts.openclaw.errors import ErrorCode
from hostplane.contracts.topics import PROVISIONING_COMMANDS, Topic
from hostplane.gateway.application.ports import CommandPublisher, InstanceReads
from hostplane.gateway.application.readmodels import JobRow
from hostplane.gateway.domain.errors import InvalidState, JobFailed


class JobPending(Exception):
    """A job outlived the bounded wait: the caller gets the job to follow instead."""

    def __init__(self, job_id: UUID, status: Literal["queued", "running"]) -> None:
        super().__init__(str(job_id))
        self.job_id = job_id
        self.status: Literal["queued", "running"] = status


@dataclass(frozen=True)
class Jobs:
    reads: InstanceReads
    commands: CommandPublisher
    wait_s: float

    async def run(self, instance_id: UUID, command: BaseModel) -> JobRow:
        """Send a provisioning command and wait for its job; its failure is the answer."""
        job = await self.outcome(PROVISIONING_COMMANDS, instance_id, command)
        if job.status == "failed":
            raise _failure(job)
        return job

    async def outcome(
        self, topic: Topic, key: UUID, command: BaseModel, command_id: UUID | None = None
    ) -> JobRow:
        """Send a command and wait for its job to finish, succeeded or failed; JobPending
        past the wait."""
        job_id = await self.commands.send(topic, key, command, command_id=command_id)
        job = await self.reads.wait_for_job(job_id, self.wait_s)
        if job is None or not job.finished:
            raise JobPending(job_id, "running" if job else "queued")
        return job


def _failure(job: JobRow) -> InvalidState | JobFailed:
    """Refused by the state it met (naming that state in `details.status`), or failed at a
    provider."""
    if job.error_code == ErrorCode.INVALID_STATE:
        details = {"status": job.met_status} if job.met_status else None
        return InvalidState(job.error_message or "Invalid state", details)
    return JobFailed(job.error_message or "Job failed", code=job.error_code or "JOB_FAILED")
