"""Seed 003, VPS Management: the instances, their lifecycle and the list's query."""

import base64
import binascii
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from hostplane.contracts.cloudvps.envelope import ListQuery
from hostplane.contracts.cloudvps.wire import Body, Currency, Id, Label, Money, Request, Timestamp


class VpsStatus(StrEnum):
    CREATING = "creating"
    RUNNING = "running"
    STARTING = "starting"
    STOPPING = "stopping"
    STOPPED = "stopped"
    RESTARTING = "restarting"
    REBUILDING = "rebuilding"
    RESTORING = "restoring"
    SUSPENDED = "suspended"
    DELETING = "deleting"
    ERROR = "error"


class Specifications(Body):
    """vCPUs, and RAM, storage and monthly bandwidth in GB."""

    cpu: int
    ram: int
    storage: int
    bandwidth: int


class VpsPricing(Body):
    monthly_price: Money
    currency: Currency


class Vps(Body):
    id: Id
    name: str
    status: VpsStatus
    ip_address: str | None = None  # none yet while it is being created
    private_ip: str | None = None
    operating_system: str  # its display name, "Ubuntu 22.04 LTS"
    specifications: Specifications
    pricing: VpsPricing
    created_at: Timestamp
    next_billing_date: Timestamp | None = None


class VpsQuery(ListQuery):
    status: VpsStatus | None = None
    sort: Literal["created_at", "name", "status"] = "created_at"


def _ssh_public_key(key: str) -> str:
    # One line `type base64 [comment]`: the key reaches cloud-init, so nothing may ride along.
    blob = key.split(" ")[1]
    try:
        base64.b64decode(blob, validate=True)
    except binascii.Error as error:
        raise ValueError("the key's second part is not base64") from error
    return key


SshPublicKey = Annotated[
    str,
    StringConstraints(
        pattern=r"^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-\S+@openssh\.com)"
        r" [A-Za-z0-9+/]+={0,2}( [^\x00-\x1f\x7f]*)?$",
        max_length=16_384,
    ),
    AfterValidator(_ssh_public_key),
]
SshKeys = Annotated[list[SshPublicKey], Field(max_length=20)]
# An image's slug, `ubuntu-22.04`; the catalog says which exist.
OperatingSystem = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]


class CreateVpsRequest(Request):
    name: Label
    plan_id: Id
    # The contract's own examples create with a name and a plan only: the plan's default image.
    operating_system: OperatingSystem | None = None
    ssh_keys: SshKeys = []


class UpdateVpsRequest(Request):
    name: Label


class DeleteVpsQuery(Request):
    force: bool = False


class RebuildVpsRequest(Request):
    operating_system: OperatingSystem
    ssh_keys: SshKeys = []
