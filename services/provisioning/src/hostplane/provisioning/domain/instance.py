"""The Instance aggregate: one customer VPS and its lifecycle.

provisioning → active ⇄ suspended → terminated, and error when provisioning fails for good.
Suspend, unsuspend and terminate are requested first and confirmed once the provider acted,
so the saga's progress lives in the aggregate's own events.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.catalog import PLANS, Plan
from hostplane.contracts.identity import instance_id_for
from hostplane.contracts.openclaw import InstanceStatus


class Operation(StrEnum):
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    TERMINATE = "terminate"
    REBOOT = "reboot"
    RESIZE = "resize"


class TransitionRefused(Exception):
    """The instance's state does not allow what was asked; recorded on the job, not raised out."""

    def __init__(self, message: str, code: str = "INVALID_STATE") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ServerFacts:
    hetzner_id: int
    server_type: str
    datacenter: str
    ip_address: str


@dataclass(frozen=True)
class PendingOperation:
    operation: Operation
    job_id: UUID
    plan: str | None = None  # a resize's target
    server_type: str | None = None


ALLOWED_FROM: dict[Operation, frozenset[InstanceStatus]] = {
    Operation.SUSPEND: frozenset({InstanceStatus.ACTIVE}),
    Operation.UNSUSPEND: frozenset({InstanceStatus.SUSPENDED}),
    Operation.TERMINATE: frozenset(
        {
            InstanceStatus.PROVISIONING,
            InstanceStatus.ACTIVE,
            InstanceStatus.SUSPENDED,
            InstanceStatus.ERROR,
        }
    ),
    Operation.REBOOT: frozenset({InstanceStatus.ACTIVE}),
    Operation.RESIZE: frozenset({InstanceStatus.ACTIVE, InstanceStatus.SUSPENDED}),
}

RESULTING_STATUS = {
    Operation.SUSPEND: InstanceStatus.SUSPENDED,
    Operation.UNSUSPEND: InstanceStatus.ACTIVE,
    Operation.TERMINATE: InstanceStatus.TERMINATED,
}


class Instance(Aggregate):
    @staticmethod
    def create_id(whmcs_service_id: int, **_: Any) -> UUID:
        return instance_id_for(whmcs_service_id)

    @event("Created")
    def __init__(
        self,
        *,
        whmcs_service_id: int,
        whmcs_client_id: int,
        plan: str,
        region: str,
        email: str,
        subdomain: str,
        server_type: str,
        location: str,
        ai_preset: str | None,
        ssh_key_ids: list[str],
        ready_token_sha256: str,
        job_id: UUID | None,
    ) -> None:
        self.whmcs_service_id = whmcs_service_id
        self.whmcs_client_id = whmcs_client_id
        self.plan = plan
        self.region = region
        self.email = email
        self.subdomain = subdomain
        self.server_type = server_type
        self.location = location
        self.ai_preset = ai_preset
        self.ssh_key_ids = ssh_key_ids
        self.ready_token_sha256 = ready_token_sha256
        self.create_job_id = job_id
        self.status = InstanceStatus.PROVISIONING
        self.server: ServerFacts | None = None
        self.dns_record_id: str | None = None
        self.openclaw_version: str | None = None
        self.pending: PendingOperation | None = None
        self.model: str | None = None
        self.channels: dict[str, bool] = {}
        # Sealed secrets by name; the event store encrypts them once more.
        self.secrets: dict[str, dict[str, str]] = {}
        self.error_code: str | None = None
        self.error_message: str | None = None

    # ---- provisioning -------------------------------------------------------------------

    @property
    def is_provisioning(self) -> bool:
        return (
            self.status is InstanceStatus.PROVISIONING
            and self.error_code is None
            and self.pending is None
        )

    def record_server(self, server: ServerFacts, action_id: int | None = None) -> None:
        """The provider accepted the server and it boots; DNS can point at it already."""
        if self.is_provisioning and self.server is None:
            self._server_created(
                hetzner_id=server.hetzner_id,
                server_type=server.server_type,
                datacenter=server.datacenter,
                ip_address=server.ip_address,
                subdomain=self.subdomain,
                action_id=action_id,
            )

    @event("ServerCreated")
    def _server_created(
        self,
        hetzner_id: int,
        server_type: str,
        datacenter: str,
        ip_address: str,
        subdomain: str,
        action_id: int | None = None,
    ) -> None:
        self.server = ServerFacts(hetzner_id, server_type, datacenter, ip_address)

    def assign_dns(self, record_id: str, fqdn: str) -> None:
        """DNS now points at the server."""
        if self.is_provisioning and self.dns_record_id is None:
            self._dns_assigned(record_id=record_id, fqdn=fqdn)
            self._activate_if_complete()

    @event("DnsAssigned")
    def _dns_assigned(self, record_id: str, fqdn: str) -> None:
        self.dns_record_id = record_id

    def report_ready(self, openclaw_version: str, gateway_port: int) -> None:
        """The server's cloud-init reported the application up."""
        if self.is_provisioning and self.openclaw_version is None:
            self._ready_reported(openclaw_version=openclaw_version, gateway_port=gateway_port)
            self._activate_if_complete()

    @event("ReadyReported")
    def _ready_reported(self, openclaw_version: str, gateway_port: int) -> None:
        self.openclaw_version = openclaw_version

    def _activate_if_complete(self) -> None:
        if self.server and self.dns_record_id and self.openclaw_version:
            self._activated()

    @event("Activated")
    def _activated(self) -> None:
        self.status = InstanceStatus.ACTIVE

    def fail(self, code: str, message: str) -> None:
        """A provisioning step failed for good: what exists must be removed."""
        if self.is_provisioning:
            self._provisioning_failed(code=code, message=message)

    @event("ProvisioningFailed")
    def _provisioning_failed(self, code: str, message: str) -> None:
        self.error_code = code
        self.error_message = message

    def mark_errored(self) -> None:
        """Compensation is done: nothing is left at the providers."""
        if self.status is InstanceStatus.PROVISIONING and self.error_code is not None:
            self._errored(code=self.error_code, message=self.error_message or "")

    @event("Errored")
    def _errored(self, code: str, message: str) -> None:
        self.status = InstanceStatus.ERROR

    # ---- agent settings -------------------------------------------------------------------

    def configure(
        self, model: str | None, channels: dict[str, bool], secrets: dict[str, dict[str, str]]
    ) -> bool:
        """Apply new agent settings; returns whether OpenClaw must restart to use them.

        The model is picked up live; channels and credentials are read at start.
        """
        if self.status in (InstanceStatus.TERMINATED, InstanceStatus.ERROR):
            raise TransitionRefused(f"cannot configure an instance that is {self.status}")
        changed_channels = {k: v for k, v in channels.items() if self.channels.get(k) != v}
        changed_secrets = {
            name: secret
            for name, secret in secrets.items()
            if self.secrets.get(name, {}).get("fingerprint") != secret["fingerprint"]
        }
        new_model = model if model is not None and model != self.model else None
        restart = bool(changed_channels or changed_secrets)
        if new_model or changed_channels or changed_secrets:
            self._configured(
                model=new_model, channels=changed_channels, secrets=changed_secrets, restart=restart
            )
        return restart

    @event("Configured")
    def _configured(
        self,
        model: str | None,
        channels: dict[str, bool],
        secrets: dict[str, dict[str, str]],
        restart: bool,
    ) -> None:
        if model is not None:
            self.model = model
        self.channels = {**self.channels, **channels}
        self.secrets = {**self.secrets, **secrets}

    # ---- operations on a live instance ---------------------------------------------------

    def request(self, operation: Operation, job_id: UUID) -> UUID | None:
        """Ask for an operation; the saga confirms it once the provider acted.

        Termination supersedes any other pending operation: its job id is returned so the
        caller can close that job.
        """
        if operation is Operation.RESIZE:
            raise ValueError("use request_resize")
        superseded = self._check(operation)
        self._requested(operation=operation.value, job_id=job_id, plan=None, server_type=None)
        return superseded

    def request_resize(self, job_id: UUID, plan: str) -> None:
        """Ask to move to another plan; the disk can grow but never shrink."""
        self._check(Operation.RESIZE)
        if plan == self.plan:
            raise TransitionRefused(f"the instance is already on the {plan} plan")
        target, current = PLANS[Plan(plan)], PLANS[Plan(self.plan)]
        if target.disk_gb < current.disk_gb:
            raise TransitionRefused(
                f"{plan} has a {target.disk_gb} GB disk, smaller than the instance's "
                f"{current.disk_gb} GB: disks cannot shrink",
                code="DOWNGRADE_NOT_POSSIBLE",
            )
        self._requested(
            operation=Operation.RESIZE.value,
            job_id=job_id,
            plan=plan,
            server_type=target.server_type,
        )

    def _check(self, operation: Operation) -> UUID | None:
        if self.pending is not None:
            if operation is not Operation.TERMINATE or self.pending.operation is operation:
                raise TransitionRefused(f"a {self.pending.operation} is already in progress")
            return self.pending.job_id
        if self.status not in ALLOWED_FROM[operation]:
            raise TransitionRefused(f"cannot {operation} an instance that is {self.status}")
        return None

    @event("OperationRequested")
    def _requested(
        self, operation: str, job_id: UUID, plan: str | None, server_type: str | None
    ) -> None:
        self.pending = PendingOperation(Operation(operation), job_id, plan, server_type)

    def confirm(self, operation: Operation) -> UUID | None:
        """The provider carried out the pending operation; returns its job id."""
        if self.pending is None or self.pending.operation is not operation:
            return None
        job_id = self.pending.job_id
        self._confirmed(
            operation=operation.value, plan=self.pending.plan, server_type=self.pending.server_type
        )
        return job_id

    def abandon(self, code: str, message: str) -> UUID | None:
        """The provider could not carry out the pending operation; returns its job id."""
        if self.pending is None:
            return None
        job_id = self.pending.job_id
        self._abandoned(code=code, message=message)
        return job_id

    @event("OperationAbandoned")
    def _abandoned(self, code: str, message: str) -> None:
        self.pending = None

    @event("OperationConfirmed")
    def _confirmed(self, operation: str, plan: str | None, server_type: str | None) -> None:
        if plan and server_type:
            self.plan, self.server_type = plan, server_type
        self.pending = None
        self.status = RESULTING_STATUS.get(Operation(operation), self.status)
