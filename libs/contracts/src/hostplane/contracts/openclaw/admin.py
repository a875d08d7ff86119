"""Seeds 000 and 001: the admin listings and stats."""

from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts.openclaw.instances import InstanceResponse


class Pagination(BaseModel):
    page: int
    limit: int
    total: int
    total_pages: int


class AdminSummary(BaseModel):
    total_active: int
    total_suspended: int
    total_provisioning: int
    total_revenue_mrr: float


class AdminInstancesResponse(BaseModel):
    instances: list[InstanceResponse]
    pagination: Pagination
    summary: AdminSummary


# Seed 001 names `/api/admin/users` and `/api/admin/stats` without shapes; these are ours.


class AdminUser(BaseModel):
    id: UUID
    whmcs_client_id: int
    email: str
    instances: int
    active_instances: int
    created_at: str


class AdminUsersResponse(BaseModel):
    users: list[AdminUser]
    pagination: Pagination


class AdminStatsResponse(BaseModel):
    instances_total: int
    instances_by_status: dict[str, int]
    instances_by_region: dict[str, int]
    instances_by_plan: dict[str, int]
    users_total: int
    revenue_mrr: float
    jobs_running: int
    jobs_failed_24h: int
    timestamp: str
