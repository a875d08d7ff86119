"""The Instance aggregate: one customer VPS and its lifecycle.

provisioning → active ⇄ suspended → terminated, and error when provisioning fails for good.

Operations (suspend, unsuspend, terminate, reboot, resize, and the customer's stop, start,
rebuild and restore of a backup) run one at a time, in the order their commands arrived, and
the aggregate alone decides what each does:

- One that arrives while another is in progress, or while the instance is still being
  provisioned, is queued (`OperationQueued`). The queue moves on when the operation in
  progress is confirmed or abandoned, or when provisioning ends (active or error).
- When its turn comes, an operation meets the state the earlier ones left
  (`operations.already_reached`): if its target already holds it succeeds without acting
  (`OperationSkipped`; its job's result says since when); if it can never succeed from there
  it is refused (`OperationRefused`: "Instance is terminated"); otherwise it is requested
  (`OperationRequested`) and the saga confirms it once the provider acted.
- Terminate queues behind earlier operations like the rest, so suspend, unsuspend and
  terminate sent back to back all happen, in that order; what is queued after a terminate
  is refused. Only while the server is still being built does terminate go first: it stops
  the build at once (the server is removed), and operations queued behind provisioning then
  meet a terminated instance.

The moments states were reached are the events' own timestamps: a public method fixes
`timestamp` and the event body records it, so a rebuilt aggregate knows them too.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.identity import instance_id_for
from hostplane.contracts.vps import InstanceStatus
from hostplane.provisioning.domain.operations import (
    RESULTING_STATUS,
    JobOutcome,
    Operation,
    PlanChoice,
    RebuildChoice,
    RequestedOperation,
    TransitionRefused,
    already_reached,
    state_message,
    state_result,
)


@dataclass(frozen=True)
class ServerFacts:
    """The server an instance runs on, whichever provider it is at."""

    provider: str  # hetzner | proxmox
    server_id: int  # the provider's number for it (a Proxmox VMID)
    server_type: str  # the provider's name for its size
    datacenter: str
    ip_address: str


def _now() -> datetime:
    return datetime.now(UTC)


class Instance(Aggregate):
    @staticmethod
    def create_id(whmcs_service_id: int, instance_id: UUID | None = None, **_: Any) -> UUID:
        """A WHMCS service's instance, or the id its orderer chose (billing's CloudPods)."""
        return instance_id or instance_id_for(whmcs_service_id)

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
        provider: str = "hetzner",  # instances created before there was a choice
        disk_gb: int | None = None,
        instance_id: UUID | None = None,
        # Billing's owner of an mPanel CloudPod (None for a WHMCS order).
        tenant_id: UUID | None = None,
        customer_id: UUID | None = None,
        subscription_id: UUID | None = None,
        # What its server is built from (None: the default image, as for every instance
        # created before the choice) and the public keys let in to it.
        image: str | None = None,
        ssh_public_keys: list[str] | None = None,
    ) -> None:
        self.whmcs_service_id = whmcs_service_id
        self.whmcs_client_id = whmcs_client_id
        self.tenant_id, self.customer_id = tenant_id, customer_id
        self.subscription_id = subscription_id
        self.plan = plan
        self.region = region
        self.email = email
        self.subdomain = subdomain
        self.provider = provider
        self.server_type = server_type  # the size's name at the provider
        self.location = location
        self.disk_gb = disk_gb
        self.ai_preset = ai_preset
        self.ssh_key_ids = ssh_key_ids
        self.ssh_public_keys = list(ssh_public_keys or [])
        self.ready_token_sha256 = ready_token_sha256
        self.create_job_id = job_id
        self.status = InstanceStatus.PROVISIONING
        self.server: ServerFacts | None = None
        self.dns_record_id: str | None = None
        self.openclaw_version: str | None = None
        self.pending: RequestedOperation | None = None  # the operation in progress
        self.queue: tuple[RequestedOperation, ...] = ()  # waiting their turn, oldest first
        self.activated_at: datetime | None = None
        self.suspended_at: datetime | None = None
        self.unsuspended_at: datetime | None = None
        self.terminated_at: datetime | None = None
        self.resized_at: datetime | None = None
        # Power, switched by its customer (stop, start): off since `stopped_at`, when set.
        self.stopped_at: datetime | None = None
        self.started_at: datetime | None = None
        self.image = image  # what its disk was last written from; None: the default image
        self.rebuilt_at: datetime | None = None
        self.model: str | None = None
        self.channels: dict[str, bool] = {}
        # Sealed secrets by name; the event store encrypts them once more.
        self.secrets: dict[str, dict[str, str]] = {}
        self.error_code: str | None = None
        self.error_message: str | None = None

    # ---- provisioning -------------------------------------------------------------------

    @property
    def is_provisioning(self) -> bool:
        """Whether the build is under way (not failed, not cut short by a terminate)."""
        return (
            self.status is InstanceStatus.PROVISIONING
            and self.error_code is None
            and self.pending is None
        )

    def record_server(self, server: ServerFacts, boot: str | None = None) -> None:
        """The provider accepted the server and it boots; DNS can point at it already."""
        if self.is_provisioning and self.server is None:
            self._server_created(
                provider=server.provider,
                server_id=server.server_id,
                server_type=server.server_type,
                datacenter=server.datacenter,
                ip_address=server.ip_address,
                subdomain=self.subdomain,
                boot=boot,
            )

    class ServerCreated(Aggregate.Event):
        provider: str
        server_id: int
        server_type: str
        datacenter: str
        ip_address: str
        subdomain: str
        boot: str | None

        # Version 1 knew Hetzner alone: `hetzner_id`, and the create action's `action_id`.
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["provider"] = "hetzner"
            state["server_id"] = state.pop("hetzner_id")
            action_id = state.pop("action_id", None)
            state["boot"] = None if action_id is None else str(action_id)

    @event(ServerCreated)
    def _server_created(
        self,
        provider: str,
        server_id: int,
        server_type: str,
        datacenter: str,
        ip_address: str,
        subdomain: str,
        boot: str | None,
    ) -> None:
        self.server = ServerFacts(provider, server_id, server_type, datacenter, ip_address)

    def assign_dns(
        self, record_id: str, fqdn: str, provider: str = "cloudflare"
    ) -> list[JobOutcome]:
        """DNS now points at the server; returns the queued jobs that ended on activation."""
        if not self.is_provisioning or self.dns_record_id is not None:
            return []
        self._dns_assigned(record_id=record_id, fqdn=fqdn, provider=provider)
        return self._activate_if_complete()

    @event("DnsAssigned")
    def _dns_assigned(self, record_id: str, fqdn: str, provider: str = "cloudflare") -> None:
        self.dns_record_id = record_id

    def report_ready(self, openclaw_version: str, gateway_port: int) -> list[JobOutcome]:
        """The server's cloud-init reported the application up; returns as `assign_dns`."""
        if not self.is_provisioning or self.openclaw_version is not None:
            return []
        self._ready_reported(openclaw_version=openclaw_version, gateway_port=gateway_port)
        return self._activate_if_complete()

    @event("ReadyReported")
    def _ready_reported(self, openclaw_version: str, gateway_port: int) -> None:
        self.openclaw_version = openclaw_version

    def _activate_if_complete(self) -> list[JobOutcome]:
        if not (self.server and self.dns_record_id and self.openclaw_version):
            return []
        self._activated(timestamp=_now())
        return self._take_up_queue()

    @event("Activated")
    def _activated(self, timestamp: datetime) -> None:
        self.status = InstanceStatus.ACTIVE
        self.activated_at = timestamp

    def fail(self, code: str, message: str) -> None:
        """A provisioning step failed for good: what exists must be removed."""
        if self.is_provisioning:
            self._provisioning_failed(code=code, message=message)

    @event("ProvisioningFailed")
    def _provisioning_failed(self, code: str, message: str) -> None:
        self.error_code = code
        self.error_message = message

    def mark_errored(self) -> list[JobOutcome]:
        """Compensation is done: nothing is left at the providers. Returns the queued jobs
        that ended against the instance in error."""
        if self.status is not InstanceStatus.PROVISIONING or self.error_code is None:
            return []
        self._errored(code=self.error_code, message=self.error_message or "")
        return self._take_up_queue()

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
            raise TransitionRefused(state_message(self.status), status=self.status)
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

    # ---- operations -------------------------------------------------------------------------

    @property
    def status_since(self) -> datetime | None:
        """When the instance entered its current status, where that is kept."""
        if self.status is InstanceStatus.ACTIVE:
            return self.unsuspended_at or self.activated_at
        if self.status is InstanceStatus.SUSPENDED:
            return self.suspended_at
        return self.terminated_at if self.status is InstanceStatus.TERMINATED else None

    @property
    def running(self) -> bool:
        """Whether the server is meant to run: not stopped by its customer."""
        return self.stopped_at is None

    def _since(self, requested: RequestedOperation) -> datetime | None:
        """Since when the target of `requested`, found already reached, has held."""
        if requested.plan:  # a resize's target is a plan, reached when last resized
            return self.resized_at or self.activated_at
        if requested.operation is Operation.STOP:
            return self.stopped_at
        if requested.operation is Operation.START:
            moments = (self.activated_at, self.unsuspended_at, self.started_at, self.rebuilt_at)
            return max((at for at in moments if at is not None), default=None)
        return self.status_since

    def _power(self, operation: Operation) -> str | None:
        """What a stop's or a start's job reports: the server's power now."""
        if operation in (Operation.STOP, Operation.START):
            return "on" if self.running else "off"
        return None

    @property
    def _idle(self) -> bool:
        """Whether an operation may start: none in progress and provisioning is over."""
        return self.pending is None and self.status is not InstanceStatus.PROVISIONING

    def request(
        self,
        operation: Operation,
        job_id: UUID,
        target: PlanChoice | None = None,
        rebuild: RebuildChoice | None = None,
        backup_id: UUID | None = None,
    ) -> list[JobOutcome]:
        """Ask for an operation as job `job_id` (a resize names its `target`, a rebuild its
        image and keys, a restore its backup).

        Returns the job if it ended at once (target reached, or refused); otherwise it is in
        progress or queued, and ends with a later `confirm`, `abandon` or queue move.
        """
        if (operation is Operation.RESIZE) != (target is not None):
            raise ValueError("a resize, and only a resize, names a plan")
        if (operation is Operation.REBUILD) != (rebuild is not None):
            raise ValueError("a rebuild, and only a rebuild, names an image")
        if (operation is Operation.RESTORE) != (backup_id is not None):
            raise ValueError("a restore, and only a restore, names a backup")
        requested = RequestedOperation.of(operation, job_id, target, rebuild, backup_id)
        cuts_build_short = operation is Operation.TERMINATE and self.is_provisioning
        if (self.queue or not self._idle) and not cuts_build_short:
            self._queued(
                operation=operation.value,
                job_id=job_id,
                plan=requested.plan,
                server_type=requested.server_type,
                disk_gb=requested.disk_gb,
                behind=self._last_in_line(),
                image=requested.image,
                ssh_keys=list(requested.ssh_keys),
                backup_id=requested.backup_id,
            )
            return []
        outcome = self._take_up(requested)
        return [outcome] if outcome else []

    def _last_in_line(self) -> str:
        if self.queue:
            return self.queue[-1].operation.value
        return self.pending.operation.value if self.pending else self.status.value

    @event("OperationQueued")
    def _queued(
        self,
        operation: str,
        job_id: UUID,
        plan: str | None,
        server_type: str | None,
        behind: str,
        disk_gb: int | None = None,
        image: str | None = None,
        ssh_keys: list[str] | None = None,
        backup_id: UUID | None = None,
    ) -> None:
        queued = RequestedOperation(
            Operation(operation),
            job_id,
            plan,
            server_type,
            disk_gb,
            image,
            tuple(ssh_keys or ()),
            backup_id,
        )
        self.queue = (*self.queue, queued)

    def _take_up(self, requested: RequestedOperation) -> JobOutcome | None:
        """Judge an operation against the state now: ended at once, or in progress (None)."""
        operation, job_id = requested.operation, requested.job_id
        try:
            reached = already_reached(requested, self.status, self.plan, self.disk_gb, self.running)
        except TransitionRefused as refusal:
            message = str(refusal)
            self._refused(
                operation=operation.value, job_id=job_id, code=refusal.code, message=message
            )
            return JobOutcome(job_id, refusal.result, refusal.code, message)
        if reached:
            since = self._since(requested)
            self._skipped(
                operation=operation.value, job_id=job_id, status=self.status.value, since=since
            )
            power = self._power(operation)
            return JobOutcome(job_id, state_result(self.status, since, requested.plan, power))
        self._requested(
            operation=operation.value,
            job_id=job_id,
            plan=requested.plan,
            server_type=requested.server_type,
            disk_gb=requested.disk_gb,
            image=requested.image,
            ssh_keys=list(requested.ssh_keys),
            backup_id=requested.backup_id,
        )
        return None

    def _take_up_queue(self) -> list[JobOutcome]:
        """Let the queued operations have their turn until one is in progress."""
        outcomes: list[JobOutcome] = []
        while self.queue and self._idle:
            outcome = self._take_up(self.queue[0])
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    def _dequeue(self, job_id: UUID) -> None:
        self.queue = tuple(queued for queued in self.queue if queued.job_id != job_id)

    @event("OperationSkipped")
    def _skipped(self, operation: str, job_id: UUID, status: str, since: datetime | None) -> None:
        self._dequeue(job_id)

    @event("OperationRefused")
    def _refused(self, operation: str, job_id: UUID, code: str, message: str) -> None:
        self._dequeue(job_id)

    @event("OperationRequested")
    def _requested(
        self,
        operation: str,
        job_id: UUID,
        plan: str | None,
        server_type: str | None,
        disk_gb: int | None = None,
        image: str | None = None,
        ssh_keys: list[str] | None = None,
        backup_id: UUID | None = None,
    ) -> None:
        self.pending = RequestedOperation(
            Operation(operation),
            job_id,
            plan,
            server_type,
            disk_gb,
            image,
            tuple(ssh_keys or ()),
            backup_id,
        )
        self._dequeue(job_id)

    def confirm(self, operation: Operation) -> list[JobOutcome]:
        """The provider carried out the pending operation: its job ends, and the queue moves."""
        pending = self.pending
        if pending is None or pending.operation is not operation:
            return []
        at = _now()
        self._confirmed(
            operation=operation.value,
            plan=pending.plan,
            server_type=pending.server_type,
            disk_gb=pending.disk_gb,
            timestamp=at,
            image=pending.image,
            backup_id=pending.backup_id,
        )
        done = JobOutcome(
            pending.job_id, state_result(self.status, at, pending.plan, self._power(operation))
        )
        return [done, *self._take_up_queue()]

    @event("OperationConfirmed")
    def _confirmed(
        self,
        operation: str,
        plan: str | None,
        server_type: str | None,
        timestamp: datetime,
        disk_gb: int | None = None,
        image: str | None = None,
        backup_id: UUID | None = None,
    ) -> None:
        if plan and server_type:
            self.plan, self.server_type = plan, server_type
            # Disks only grow: a resize to a plan with a smaller one is refused before.
            self.disk_gb = disk_gb or self.disk_gb
            self.resized_at = timestamp
        self.pending = None
        self.status = RESULTING_STATUS.get(Operation(operation), self.status)
        if operation == Operation.SUSPEND:
            self.suspended_at = timestamp
        elif operation == Operation.UNSUSPEND:
            self.unsuspended_at = timestamp
            self.stopped_at = None  # unsuspending powers the server on
        elif operation == Operation.TERMINATE:
            self.terminated_at = timestamp
        elif operation == Operation.STOP:
            self.stopped_at = timestamp
        elif operation == Operation.START:
            self.stopped_at, self.started_at = None, timestamp
        elif operation == Operation.REBUILD:
            # A rebuilt server boots its new image.
            self.image, self.rebuilt_at, self.stopped_at = image, timestamp, None
        elif operation == Operation.RESTORE:
            # The restored disk boots, whether the server was stopped before or not.
            self.stopped_at, self.started_at = None, timestamp

    def abandon(self, code: str, message: str) -> list[JobOutcome]:
        """The provider could not carry out the pending operation: its job fails, and the
        queue moves."""
        pending = self.pending
        if pending is None:
            return []
        self._abandoned(code=code, message=message)
        failed = JobOutcome(pending.job_id, state_result(self.status, None), code, message)
        return [failed, *self._take_up_queue()]

    @event("OperationAbandoned")
    def _abandoned(self, code: str, message: str) -> None:
        self.pending = None
