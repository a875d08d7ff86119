"""Seed 002 §10: CloudPods, a subscription's server."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from hostplane.contracts.mpanel.cloudpods import (
    CloudPod,
    CloudPodCreate,
    CloudPodList,
    CloudPodRef,
    CloudPodRequested,
    ProvisionJobRef,
)
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.domain.mpanel.cloudpods import PanelStatus
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals

router = APIRouter(prefix="/api/cloudpods", tags=["cloudpods"])

Reader = Annotated[Operator, allowed(Permission.CLOUDPODS_READ)]
Admin = Annotated[Operator, allowed(Permission.CLOUDPODS_WRITE)]
Support = Annotated[Operator, allowed(Permission.CLOUDPODS_SUSPEND)]


@router.get("", response_model=CloudPodList)
async def list_cloudpods(
    operator: Reader,
    mpanel: MPanelDep,
    customer_id: Annotated[UUID | None, Query(alias="customerId")] = None,
    status: PanelStatus | None = None,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> CloudPodList:
    """The tenant's CloudPods, of one customer or status if asked."""
    rows = await mpanel.cloudpods.list(operator, customer_id, status, page, page_size)
    return presenters.listing(CloudPodList, rows, presenters.cloudpod, page, page_size)


@router.get("/{cloudpod_id}", response_model=CloudPod, responses=refusals(404))
async def get_cloudpod(cloudpod_id: UUID, operator: Reader, mpanel: MPanelDep) -> CloudPod:
    """One of the tenant's CloudPods (`pending` while its server is provisioned)."""
    return presenters.cloudpod(await mpanel.cloudpods.get(operator, cloudpod_id))


@router.post("", status_code=201, response_model=CloudPodRequested, responses=WAITED)
async def request_cloudpod(
    body: CloudPodCreate, operator: Admin, mpanel: MPanelDep
) -> CloudPodRequested:
    """Ask for a subscription's CloudPod by hand (its payment normally does); the job is
    billing's request, which provisions the server."""
    requested = await mpanel.cloudpods.request(operator, body)
    return CloudPodRequested(
        cloud_pod=CloudPodRef(id=requested.instance_id),
        job=ProvisionJobRef(id=requested.job_id),
    )


@router.post("/{cloudpod_id}/suspend", response_model=CloudPod, responses=WAITED)
async def suspend_cloudpod(cloudpod_id: UUID, operator: Support, mpanel: MPanelDep) -> CloudPod:
    """Suspend a CloudPod: its server powers off."""
    return presenters.cloudpod(await mpanel.cloudpods.suspend(operator, cloudpod_id))


@router.post("/{cloudpod_id}/unsuspend", response_model=CloudPod, responses=WAITED)
async def unsuspend_cloudpod(cloudpod_id: UUID, operator: Support, mpanel: MPanelDep) -> CloudPod:
    """Unsuspend a CloudPod: its server powers on."""
    return presenters.cloudpod(await mpanel.cloudpods.unsuspend(operator, cloudpod_id))


@router.delete("/{cloudpod_id}", response_model=CloudPod, responses=WAITED)
async def delete_cloudpod(cloudpod_id: UUID, operator: Admin, mpanel: MPanelDep) -> CloudPod:
    """Delete a CloudPod's server and DNS record; answers the CloudPod, terminated."""
    return presenters.cloudpod(await mpanel.cloudpods.terminate(operator, cloudpod_id))
