"""Seed 002 §10: CloudPods, a subscription's server."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from hostplane.contracts.mpanel.common import Body, ListResponse, Request, Timestamp


class CloudPod(Body):
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    subscription_id: UUID
    name: str
    status: str  # pending while provisioning, active, suspended, terminated, error
    template: str
    hostname: str | None
    ipv4: str | None
    created_at: Timestamp


class CloudPodList(ListResponse[CloudPod]):
    pass


class CloudPodCreate(Request):
    customer_id: UUID
    subscription_id: UUID
    product_id: UUID
    # A DNS label: it becomes part of the server's name.
    name: Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    template: Annotated[str, Field(min_length=1, max_length=64)] | None = None  # the SKU


class CloudPodRef(Body):
    id: UUID
    status: Literal["pending"] = "pending"


class ProvisionJobRef(Body):
    id: UUID
    type: Literal["cloudpod_provision"] = "cloudpod_provision"


class CloudPodRequested(Body):
    cloud_pod: CloudPodRef
    job: ProvisionJobRef
