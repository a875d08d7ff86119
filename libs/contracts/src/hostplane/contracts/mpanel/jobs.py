"""Seed 002 §11: provisioning jobs of the tenant's CloudPods."""

from uuid import UUID

from hostplane.contracts.mpanel.common import Body, ListResponse, Timestamp


class Job(Body):
    id: UUID
    tenant_id: UUID
    type: str  # cloudpod_provision, cloudpod_suspend, cloudpod_unsuspend, cloudpod_delete, ...
    status: str  # queued, running, succeeded, failed
    target_id: UUID | None
    error_code: str | None
    error_message: str | None
    created_at: Timestamp
    updated_at: Timestamp


class JobList(ListResponse[Job]):
    pass
