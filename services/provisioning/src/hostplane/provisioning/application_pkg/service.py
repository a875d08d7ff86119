"""The provisioning use cases: commands in, saga steps on the instance's own events.

Every use case runs for one consumed Kafka message and stores its new events together with
that message's position, so a redelivered message changes nothing.
"""

import hashlib
import hmac
import logging
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.catalog import PLANS, REGIONS, SERVER_IMAGE
from hostplane.contracts.identity import instance_token
from hostplane.contracts.vps import InstanceStatus
from hostplane.messaging.eventstore import Position, TrackedApplication
from hostplane.provisioning.adapters.cloudinit import user_data
from hostplane.provisioning.adapters.hetzner import (
    ActionState,
    HetznerProvider,
    ProviderError,
    ServerSpec,
)
from hostplane.provisioning.domain.instance import Instance
from hostplane.provisioning.domain.job import Job
from hostplane.provisioning.domain.operations import (
    JobOutcome,
    Operation,
    RequestedOperation,
    TransitionRefused,
)
from hostplane.provisioning.domain.subdomain import SubdomainClaim
from hostplane.provisioning.domain.user import User

log = logging.getLogger(__name__)

OPERATIONS: dict[type[object], Operation] = {
    commands.SuspendInstance: Operation.SUSPEND,
    commands.UnsuspendInstance: Operation.UNSUSPEND,
    commands.TerminateInstance: Operation.TERMINATE,
    commands.RebootInstance: Operation.REBOOT,
    commands.ResizeInstance: Operation.RESIZE,
}

InstanceCommand = (
    commands.SuspendInstance
    | commands.UnsuspendInstance
    | commands.TerminateInstance
    | commands.RebootInstance
    | commands.ResizeInstance
    | commands.UpdateInstanceConfig
    | commands.ReportInstanceReady
)


class Provisioning(TrackedApplication):
    name = "provisioning"

    def __init__(
        self,
        env: dict[str, str],
        provider: HetznerProvider,
        ready_url: str,
        instance_token_secret: str,
    ) -> None:
        super().__init__(env)
        self.provider = provider
        self._ready_url = ready_url
        self._token_secret = instance_token_secret

    # ---- commands ------------------------------------------------------------------------

    def handle_command(
        self, command: commands.ProvisioningCommand, job_id: UUID, position: Position | None
    ) -> None:
        """Carry out one command from `provisioning.commands` as job `job_id`."""
        instance_id = getattr(command, "instance_id", None)
        job = self._job(job_id, type(command).__name__, instance_id)
        if job is None:
            self.save_tracked(position=position)  # a redelivered command whose job exists
            return
        if isinstance(command, commands.RegisterUser):
            self._register(command, job, position)
            return
        if isinstance(command, commands.CreateInstance):
            self._create(command, job, position)
            return
        instance = self._instance(command.instance_id)
        if instance is None:
            job.fail("NOT_FOUND", f"instance {command.instance_id} does not exist")
            self.save_tracked(job, position=position)
            return
        try:
            ended = self._apply(instance, command, job)
        except TransitionRefused as refusal:
            job.fail(refusal.code, str(refusal), refusal.result)
            ended = []
        self.save_tracked(instance, job, *ended, position=position)

    def _apply(self, instance: Instance, command: InstanceCommand, job: Job) -> list[Job | None]:
        """Apply a command to its instance as `job`; returns the other jobs that ended."""
        if isinstance(command, commands.ReportInstanceReady):
            ended = self._close(self._report_ready(instance, command))
            job.succeed()
            return [*ended, self._close_create_job(instance)]
        if isinstance(command, commands.UpdateInstanceConfig):
            restart = instance.configure(
                command.model,
                command.channels,
                {name: secret.model_dump() for name, secret in command.secrets.items()},
            )
            job.succeed({"restart_required": restart})
            return []
        plan = command.new_plan.value if isinstance(command, commands.ResizeInstance) else None
        return self._close(instance.request(OPERATIONS[type(command)], job.id, plan), job)

    def _register(
        self, command: commands.RegisterUser, job: Job, position: Position | None
    ) -> None:
        try:
            user: User = self.repository.get(User.create_id(command.whmcs_client_id))
            user.log_in(str(command.email))
        except AggregateNotFoundError:
            user = User(whmcs_client_id=command.whmcs_client_id, email=str(command.email))
        job.succeed()
        self.save_tracked(user, job, position=position)

    def _create(
        self, command: commands.CreateInstance, job: Job, position: Position | None
    ) -> None:
        if self._instance(command.instance_id) is not None:
            job.succeed()  # a retried create: the instance it asked for exists
            self.save_tracked(job, position=position)
            return
        plan, region = PLANS[command.plan], REGIONS[command.region]
        instance = Instance(
            whmcs_service_id=command.whmcs_service_id,
            whmcs_client_id=command.whmcs_client_id,
            plan=command.plan.value,
            region=command.region.value,
            email=str(command.email),
            subdomain=command.subdomain,
            server_type=plan.server_type,
            location=region.location,
            ai_preset=command.ai_preset.value if command.ai_preset else None,
            ssh_key_ids=list(command.ssh_key_ids),
            ready_token_sha256=hashlib.sha256(self.ready_token(command.instance_id)).hexdigest(),
            job_id=job.id,
        )
        claim = self._claim(command.subdomain, instance.id)
        if claim is None:
            instance.fail("HOSTNAME_TAKEN", f"{command.subdomain} belongs to another instance")
        self.save_tracked(instance, claim, job, position=position)

    def _claim(self, subdomain: str, instance_id: UUID) -> SubdomainClaim | None:
        claim_id = SubdomainClaim.create_id(subdomain)
        try:
            existing: SubdomainClaim = self.repository.get(claim_id)
        except AggregateNotFoundError:
            return SubdomainClaim(subdomain=subdomain, instance_id=instance_id)
        return None if existing.instance_id != instance_id else existing

    def _report_ready(
        self, instance: Instance, command: commands.ReportInstanceReady
    ) -> list[JobOutcome]:
        if not hmac.compare_digest(command.token_sha256, instance.ready_token_sha256):
            raise TransitionRefused("the instance token does not match")
        return instance.report_ready(command.openclaw_version, command.gateway_port)

    def ready_token(self, instance_id: UUID) -> bytes:
        """The instance's callback token: derived, so every retry hands out the same one."""
        return instance_token(self._token_secret, instance_id).encode()

    # ---- saga steps, on the instance's own events ----------------------------------------

    def provision_server(self, instance_id: UUID, position: Position | None) -> None:
        """Order the instance's server (idempotently) and record it, or fail the instance.

        The step does not wait for the boot: DNS is set up meanwhile, the server's ready
        callback activates the instance, and `settle_boots` catches a boot that failed.
        """
        instance = self._instance(instance_id)
        if instance is None or not instance.is_provisioning or instance.server is not None:
            self.save_tracked(position=position)
            return
        spec = ServerSpec(
            instance_id=instance.id,
            server_type=instance.server_type,
            location=instance.location,
            image=SERVER_IMAGE,
            user_data=user_data(
                self._ready_url.format(instance_id=instance.id),
                self.ready_token(instance.id).decode(),
            ),
            ssh_key_ids=instance.ssh_key_ids,
        )
        try:
            created = self.provider.create_server(spec)
            instance.record_server(created.facts, created.action_id)
        except ProviderError as error:
            log.warning("instance %s: server failed for good: %s", instance.id, error.message)
            instance.fail(error.code, error.message)
        self.save_tracked(instance, position=position)

    def settle_boots(self, outcomes: dict[UUID, ActionState], position: Position) -> None:
        """Fail the instances whose server did not boot; all in one transaction."""
        failed = []
        for instance_id, outcome in outcomes.items():
            if outcome.status == "success":
                continue
            instance = self._require(instance_id)
            instance.fail("SERVER_CREATE_FAILED", outcome.error or "the server did not start")
            failed.append(instance)
        self.save_tracked(*failed, position=position)

    def boot_of_found_server(self, instance_id: UUID) -> ActionState:
        """How the boot of a server found (not created) by a retried step ended."""
        try:
            self.provider.wait_started(instance_id)
        except ProviderError as error:
            return ActionState(0, "error", error.message)
        return ActionState(0, "success")

    def compensate(self, instance_id: UUID, position: Position | None) -> None:
        """Remove what a failed provisioning left at the provider; the instance ends in error."""
        instance = self._require(instance_id)
        self.provider.ensure_deleted(instance.id)
        ended = self._close(instance.mark_errored())
        self.save_tracked(instance, *ended, self._close_create_job(instance), position=position)

    def carry_out(
        self, instance_id: UUID, operation: Operation, job_id: UUID, position: Position | None
    ) -> None:
        """Act at the provider for the operation job `job_id` requested, then confirm it.

        Only the operation in progress acts: a request event delivered again, after its
        operation ended, finds another job (or none) in progress and changes nothing.
        """
        instance = self._require(instance_id)
        pending = instance.pending
        if pending is None or pending.operation is not operation or pending.job_id != job_id:
            self.save_tracked(position=position)
            return
        try:
            self._act(instance, pending)
        except ProviderError as error:
            outcomes = instance.abandon(error.code, error.message)
        else:
            outcomes = instance.confirm(operation)
        ended = self._close(outcomes)
        self.save_tracked(instance, *ended, self._close_create_job(instance), position=position)

    def _act(self, instance: Instance, pending: RequestedOperation) -> None:
        """The provider calls of an operation; each is safe to repeat."""
        if pending.operation is Operation.TERMINATE:
            self.provider.ensure_deleted(instance.id)
        elif pending.operation is Operation.SUSPEND:
            self.provider.power_off(instance.id)
        elif pending.operation is Operation.UNSUSPEND:
            self.provider.power_on(instance.id)
        elif pending.operation is Operation.REBOOT:
            self.provider.reboot(instance.id)
        else:
            assert pending.server_type is not None
            self.provider.change_type(
                instance.id,
                pending.server_type,
                start_after=instance.status is InstanceStatus.ACTIVE,
            )

    # ---- reactions to dns.events ---------------------------------------------------------

    def record_dns(self, instance_id: UUID, record_id: str, fqdn: str, position: Position) -> None:
        """DNS points at the server: the instance may now become active."""
        instance = self._require(instance_id)
        ended = self._close(instance.assign_dns(record_id, fqdn))
        self.save_tracked(instance, *ended, self._close_create_job(instance), position=position)

    def dns_failed(self, instance_id: UUID, code: str, message: str, position: Position) -> None:
        """DNS could not be created for good: roll the instance back."""
        instance = self._require(instance_id)
        instance.fail(code, message)
        self.save_tracked(instance, position=position)

    # ---- lookups -------------------------------------------------------------------------

    def _instance(self, instance_id: UUID) -> Instance | None:
        try:
            instance: Instance = self.repository.get(instance_id)
        except AggregateNotFoundError:
            return None
        return instance

    def _require(self, instance_id: UUID) -> Instance:
        instance = self._instance(instance_id)
        if instance is None:
            raise LookupError(f"instance {instance_id} does not exist")
        return instance

    def _job_by_id(self, job_id: UUID | None) -> Job | None:
        if job_id is None:
            return None
        try:
            job: Job = self.repository.get(job_id)
        except AggregateNotFoundError:
            return None
        return job

    def _job(self, job_id: UUID, command: str, instance_id: UUID | None) -> Job | None:
        """A new job for a command, or None when the command was handled before."""
        if self._job_by_id(job_id) is not None:
            return None
        return Job(job_id=job_id, command=command, instance_id=instance_id)

    def _close(self, outcomes: list[JobOutcome], current: Job | None = None) -> list[Job | None]:
        """End the jobs of `outcomes`; returns those to save besides `current` (the job of
        the command being handled, which its caller saves anyway)."""
        ended: list[Job | None] = []
        for outcome in outcomes:
            is_current = current is not None and outcome.job_id == current.id
            job = current if is_current else self._job_by_id(outcome.job_id)
            if job is None:
                continue
            if outcome.code is None:
                job.succeed(outcome.result)
            else:
                job.fail(outcome.code, outcome.message, outcome.result)
            if not is_current:
                ended.append(job)
        return ended

    def _close_create_job(self, instance: Instance) -> Job | None:
        """The create job ends when the instance is active, in error or terminated."""
        job = self._job_by_id(instance.create_job_id)
        if job is None or job.finished:
            return None
        if instance.status is InstanceStatus.ACTIVE:
            job.succeed()
        elif instance.status in {InstanceStatus.ERROR, InstanceStatus.TERMINATED}:
            job.fail(instance.error_code or "TERMINATED", instance.error_message or "terminated")
        return job
