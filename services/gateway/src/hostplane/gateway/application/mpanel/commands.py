"""Commands the panel sends, waited for within one bound: first their job, then the read
models showing its effect (they follow billing's events a moment later)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts.commands.billing import BillingCommand
from hostplane.contracts.topics import BILLING_COMMANDS, Topic
from hostplane.gateway.application.jobs import Jobs
from hostplane.gateway.application.readmodels import JobRow
from hostplane.gateway.domain.mpanel.failures import job_refusal

Row = TypeVar("Row")


class ViewLagging(Exception):
    """The job succeeded, but the read models do not show it yet: the caller follows the job."""

    def __init__(self, job_id: UUID) -> None:
        super().__init__(str(job_id))
        self.job_id = job_id


def _shown(_: object) -> bool:
    return True


@dataclass(frozen=True)
class PanelCommands:
    jobs: Jobs
    wait_s: float

    async def run(
        self, topic: Topic, key: UUID, command: BaseModel, command_id: UUID | None = None
    ) -> JobRow:
        """Send a command and wait for its job; a failed job is refused by its error code."""
        job = await self.jobs.outcome(topic, key, command, command_id)
        if job.status == "failed":
            raise job_refusal(job.error_code, job.error_message)
        return job

    async def billing(self, command: BillingCommand, command_id: UUID | None = None) -> JobRow:
        """`run` on `billing.commands`, keyed by the aggregate the command is for."""
        return await self.run(BILLING_COMMANDS, command.subject_id, command, command_id)

    async def shown(
        self,
        job_id: UUID,
        read: Callable[[], Awaitable[Row | None]],
        done: Callable[[Row], bool] = _shown,
    ) -> Row:
        """The row once the read models show the job's effect (`done`); ViewLagging past
        the wait."""
        deadline = time.monotonic() + self.wait_s
        delay = 0.01
        while True:
            row = await read()
            if row is not None and done(row):
                return row
            if time.monotonic() >= deadline:
                raise ViewLagging(job_id)
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.1)
