"""Commands on `provisioning.commands`: imperative, keyed by the target aggregate's id.

The command id (which is also the job id), correlation id and causation id travel as Kafka
headers (see `hostplane.contracts.envelope`); the value is one of the models below.
"""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.network import FirewallRule
from hostplane.contracts.secrets import SealedSecret
from hostplane.contracts.vps import AiPreset


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True)

    instance_id: UUID

    @property
    def subject_id(self) -> UUID:
        """The aggregate the command is for (its job names it)."""
        return self.instance_id


class CreateInstance(_Command):
    type: Literal["CreateInstance"] = "CreateInstance"
    whmcs_service_id: int
    whmcs_client_id: int
    plan: Plan
    region: Region
    email: EmailStr
    subdomain: str
    ssh_key_ids: list[str] = []  # keys stored at the provider (a WHMCS order's)
    ai_preset: AiPreset | None = None
    image: str | None = None  # a catalog image; None: the default (`SERVER_IMAGE`)
    ssh_public_keys: list[str] = []  # public keys let in to the new server
    # An instance billing ordered (an mPanel CloudPod) names its owner; WHMCS ids are then 0.
    tenant_id: UUID | None = None
    customer_id: UUID | None = None
    subscription_id: UUID | None = None


class SuspendInstance(_Command):
    type: Literal["SuspendInstance"] = "SuspendInstance"
    # Why: "overdue" when billing suspends for non-payment (its payment unsuspends it).
    reason: str | None = None


class UnsuspendInstance(_Command):
    type: Literal["UnsuspendInstance"] = "UnsuspendInstance"


class TerminateInstance(_Command):
    type: Literal["TerminateInstance"] = "TerminateInstance"


class RebootInstance(_Command):
    type: Literal["RebootInstance"] = "RebootInstance"


class ResizeInstance(_Command):
    type: Literal["ResizeInstance"] = "ResizeInstance"
    new_plan: Plan


class StopInstance(_Command):
    """Power the server off, at its customer's wish (it stays theirs, and billed)."""

    type: Literal["StopInstance"] = "StopInstance"


class StartInstance(_Command):
    """Power a stopped server on again."""

    type: Literal["StartInstance"] = "StartInstance"


class RebuildInstance(_Command):
    """Write the server's disk anew from `image`, letting in `ssh_keys` (public keys)."""

    type: Literal["RebuildInstance"] = "RebuildInstance"
    image: str
    ssh_keys: list[str] = []


class OpenConsole(_Command):
    """Ask the server's provider for console access; the job's result carries it, its
    password sealed (`CONFIG_SECRETS_KEY`) so that no job row holds it in clear."""

    type: Literal["OpenConsole"] = "OpenConsole"


class UpdateInstanceConfig(_Command):
    """New agent settings. Secrets (API keys, channel tokens) travel sealed, never in clear."""

    type: Literal["UpdateInstanceConfig"] = "UpdateInstanceConfig"
    model: str | None = None
    channels: dict[str, bool] = {}  # channel name -> enabled
    secrets: dict[str, SealedSecret] = {}  # e.g. "api_key:anthropic", "channel:telegram"


class ReportInstanceReady(_Command):
    type: Literal["ReportInstanceReady"] = "ReportInstanceReady"
    token_sha256: str
    openclaw_version: str
    gateway_port: int


class CreateBackup(_Command):
    """Back the instance's server up now, as backup `backup_id` (chosen by the sender, so a
    command delivered twice is one backup)."""

    type: Literal["CreateBackup"] = "CreateBackup"
    backup_id: UUID
    name: Annotated[str, Field(min_length=1, max_length=100)]
    description: Annotated[str, Field(max_length=500)] | None = None


class RestoreBackup(_Command):
    """Put the instance's disk back as it was in one of its backups."""

    type: Literal["RestoreBackup"] = "RestoreBackup"
    backup_id: UUID


class DeleteBackup(_Command):
    type: Literal["DeleteBackup"] = "DeleteBackup"
    backup_id: UUID


class UpdateFirewall(_Command):
    """The VPS's firewall rules, all of them: those given replace those there were."""

    type: Literal["UpdateFirewall"] = "UpdateFirewall"
    rules: list[FirewallRule]


class AttachAddress(_Command):
    """One more IPv4 address for the VPS; the command id names the address."""

    type: Literal["AttachAddress"] = "AttachAddress"


class RegisterUser(BaseModel):
    """A WHMCS client signed in to the dashboard: create its user on first sight."""

    model_config = ConfigDict(frozen=True)

    type: Literal["RegisterUser"] = "RegisterUser"
    user_id: UUID
    whmcs_client_id: int
    email: EmailStr

    @property
    def subject_id(self) -> UUID:
        return self.user_id


ProvisioningCommand = Annotated[
    CreateInstance
    | SuspendInstance
    | UnsuspendInstance
    | TerminateInstance
    | RebootInstance
    | ResizeInstance
    | StopInstance
    | StartInstance
    | RebuildInstance
    | OpenConsole
    | UpdateInstanceConfig
    | ReportInstanceReady
    | UpdateFirewall
    | AttachAddress
    | CreateBackup
    | RestoreBackup
    | DeleteBackup
    | RegisterUser,
    Field(discriminator="type"),
]
