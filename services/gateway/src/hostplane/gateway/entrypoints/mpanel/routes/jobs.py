"""Seed 002 §11: the provisioning jobs of the tenant's CloudPods."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from hostplane.contracts.mpanel.jobs import Job, JobList
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

Reader = Annotated[Operator, allowed(Permission.JOBS_READ)]
Retrier = Annotated[Operator, allowed(Permission.JOBS_RETRY)]
JobStatus = Literal["queued", "running", "succeeded", "failed"]
# cloudpod_provision, cloudpod_suspend, cloudpod_unsuspend, cloudpod_delete, or a command's
# name in snake_case.
JobType = Annotated[str | None, Query(alias="type", pattern=r"^[a-z][a-z_]{0,63}$")]


@router.get("", response_model=JobList)
async def list_jobs(
    operator: Reader,
    mpanel: MPanelDep,
    status: JobStatus | None = None,
    job_type: JobType = None,
    target_id: Annotated[UUID | None, Query(alias="targetId")] = None,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> JobList:
    """The jobs of the tenant's CloudPods, by status, type and CloudPod."""
    rows = await mpanel.jobs.list(operator, status, job_type, target_id, page, page_size)
    return presenters.listing(JobList, rows, presenters.job, page, page_size)


@router.get("/{job_id}", response_model=Job, responses=refusals(404))
async def get_job(job_id: UUID, operator: Reader, mpanel: MPanelDep) -> Job:
    """One job of the tenant's CloudPods."""
    return presenters.job(await mpanel.jobs.get(operator, job_id))


@router.post("/{job_id}/retry", response_model=Job, responses=WAITED)
async def retry_job(job_id: UUID, operator: Retrier, mpanel: MPanelDep) -> Job:
    """Retry a failed suspend, unsuspend or delete as a new job for the same CloudPod (409
    for a job that did not fail, or a provisioning)."""
    return presenters.job(await mpanel.jobs.retry(operator, job_id))
