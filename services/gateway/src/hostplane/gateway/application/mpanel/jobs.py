"""The provisioning jobs of the tenant's CloudPods, and retrying a failed one."""

from dataclasses import dataclass
from uuid import UUID

from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import Page, ProvisioningJobRow
from hostplane.gateway.domain.errors import NotFound
from hostplane.gateway.domain.mpanel.access import Operator
from hostplane.gateway.domain.mpanel.jobs import command_of, retried


@dataclass(frozen=True)
class ProvisioningJobs:
    reads: BillingReads
    commands: PanelCommands

    async def list(
        self,
        operator: Operator,
        status: str | None,
        job_type: str | None,
        target_id: UUID | None,
        page: int,
        page_size: int,
    ) -> Page[ProvisioningJobRow]:
        """The jobs of the tenant's CloudPods, by status, type and CloudPod."""
        command = command_of(job_type) if job_type else None
        return await self.reads.jobs(
            operator.tenant_id, status, command, target_id, page, page_size
        )

    async def get(self, operator: Operator, job_id: UUID) -> ProvisioningJobRow:
        """One job of the tenant's CloudPods."""
        row = await self.reads.job(operator.tenant_id, job_id)
        if row is None:
            raise NotFound("Job not found")
        return row

    async def retry(self, operator: Operator, job_id: UUID) -> ProvisioningJobRow:
        """Send a failed suspend, unsuspend or delete again, as a new job for the same
        CloudPod; the answer is that job, however it ended."""
        failed = await self.get(operator, job_id)
        command = retried(failed.command, failed.status, failed.target_id)
        job = await self.commands.jobs.outcome(PROVISIONING_COMMANDS, command.instance_id, command)
        return await self.commands.shown(job.id, lambda: self.reads.job(operator.tenant_id, job.id))
