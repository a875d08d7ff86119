"""The provisioning use cases: commands in, saga steps on the instance's own events.

Every use case runs for one consumed Kafka message and stores its new events together with
that message's position, so a redelivered message changes nothing. Commands reach their
handler through `COMMAND_HANDLERS` (handlers.py); the saga's steps are the methods below.
"""

import asyncio
import hashlib
import logging
from collections.abc import Callable, Mapping
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from hostplane.contracts.catalog import SERVER_IMAGE, Plan, PlanSpec, Region
from hostplane.contracts.identity import instance_token
from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.telemetry import ServerUsage
from hostplane.contracts.vps import InstanceStatus, iso
from hostplane.messaging.eventstore import Position, TrackedApplication
from hostplane.messaging.jobs import Job
from hostplane.messaging.settings import CatalogSettings
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.boot_watch import BootWatch
from hostplane.provisioning.adapters.cloudinit import user_data
from hostplane.provisioning.adapters.provider import (
    BootState,
    ConsoleAccess,
    ServerProvider,
    ServerSpec,
)
from hostplane.provisioning.application.network import Networking, release_addresses
from hostplane.provisioning.domain.instance import Instance
from hostplane.provisioning.domain.operations import (
    JobOutcome,
    Operation,
    PlanChoice,
    RequestedOperation,
)

log = logging.getLogger(__name__)

BOOT_TIMEOUT_S = 600.0


class Provisioning(TrackedApplication):
    name = "provisioning"

    def __init__(
        self,
        env: dict[str, str],
        providers: Mapping[str, ServerProvider],
        catalog: CatalogSettings,
        ready_url: str,
        instance_token_secret: str,
        secrets: SecretBox | None = None,
        networking: Networking | None = None,
    ) -> None:
        super().__init__(env)
        self._secrets = secrets
        self.providers = dict(providers)
        self.networking = networking or Networking()
        self.catalog = catalog
        self._boot_watches = {
            name: BootWatch(provider, BOOT_TIMEOUT_S) for name, provider in providers.items()
        }
        self._ready_url = ready_url
        self._token_secret = instance_token_secret

    # ---- commands ------------------------------------------------------------------------

    def new_job(self, job_id: UUID, command: str, subject_id: UUID | None) -> Job | None:
        """A new job for a command, or None when the command was handled before."""
        if self.job(job_id) is not None:
            return None
        return Job(job_id=job_id, command=command, subject_id=subject_id)

    def ready_token(self, instance_id: UUID) -> bytes:
        """The instance's callback token: derived, so every retry hands out the same one."""
        return instance_token(self._token_secret, instance_id).encode()

    def ready_token_sha256(self, instance_id: UUID) -> str:
        return hashlib.sha256(self.ready_token(instance_id)).hexdigest()

    def plan(self, plan: str) -> PlanSpec:
        return self.catalog.plans[Plan(plan)]

    def resize_target(self, instance: Instance, plan: str) -> PlanChoice:
        """What a resize to `plan` means at the instance's provider."""
        spec = self.plan(plan)
        return PlanChoice(plan, spec.size_at(instance.provider), spec.disk_gb)

    def sealed_console(self, access: ConsoleAccess) -> dict[str, str]:
        """Console access as a job's result: the password and the URL (which may carry a
        ticket that is the password, as Proxmox's does) sealed for the gateway, so that the
        job's events and rows never hold them in clear."""
        if self._secrets is None:
            raise ProviderError("CONSOLE_UNAVAILABLE", "CONFIG_SECRETS_KEY is not configured")
        return {
            "url": self._secrets.seal(access.url).sealed,
            "password": self._secrets.seal(access.password).sealed,
            "expires_at": iso(access.expires_at),
        }

    # ---- saga steps, on the instance's own events ----------------------------------------

    def provision_server(self, instance_id: UUID, position: Position | None) -> None:
        """Order the instance's server (idempotently) and record it, or fail the instance.

        The step does not wait for the boot: DNS is set up meanwhile, the server's ready
        callback activates the instance, and `settle_boots` catches a boot that failed.
        """
        instance = self.instance(instance_id)
        if instance is None or not instance.is_provisioning or instance.server is not None:
            self.save_tracked(position=position)
            return
        try:
            created = self.provider_for(instance).ensure_server(self._server_spec(instance))
            instance.record_server(created.facts, created.boot)
        except ProviderError as error:
            log.warning("instance %s: server failed for good: %s", instance.id, error.message)
            instance.fail(error.code, error.message)
        self.save_tracked(instance, position=position)

    def _server_spec(self, instance: Instance) -> ServerSpec:
        region = self.catalog.regions.get(Region(instance.region))
        if region is None or region.provider != instance.provider:
            raise ProviderError(
                "REGION_UNAVAILABLE",
                f"{instance.region} is no longer served by {instance.provider}",
            )
        return ServerSpec(
            instance_id=instance.id,
            plan=self.plan(instance.plan),
            region=region,
            image=instance.image or SERVER_IMAGE,
            user_data=user_data(
                self._ready_url.format(instance_id=instance.id),
                self.ready_token(instance.id).decode(),
                instance.ssh_public_keys,
            ),
            ssh_key_ids=instance.ssh_key_ids,
        )

    async def boot_outcome(self, instance_id: UUID, provider: str, boot: str | None) -> BootState:
        """How the boot of the instance's new server ended; waits while it runs."""
        if boot is not None:
            return await self._boot_watches[provider].finished(boot)
        # A server found (not created) by a retried step: watch the server itself.
        try:
            await asyncio.to_thread(self.providers[provider].wait_started, instance_id)
        except ProviderError as error:
            return BootState("", "error", error.message)
        return BootState("", "success")

    def settle_boots(self, outcomes: dict[UUID, BootState], position: Position) -> None:
        """Fail the instances whose server did not boot; all in one transaction."""
        failed = []
        for instance_id, outcome in outcomes.items():
            if outcome.status == "success":
                continue
            instance = self._require(instance_id)
            instance.fail("SERVER_CREATE_FAILED", outcome.error or "the server did not start")
            failed.append(instance)
        self.save_tracked(*failed, position=position)

    def compensate(self, instance_id: UUID, position: Position | None) -> None:
        """Remove what a failed provisioning left at the provider; the instance ends in error."""
        instance = self._require(instance_id)
        self.provider_for(instance).ensure_deleted(instance.id)
        ended = self.close_jobs(instance.mark_errored())
        self.save_tracked(instance, *ended, self.close_create_job(instance), position=position)

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
        target = self.plan(pending.plan) if pending.plan else None
        released = []
        try:
            PROVIDER_ACTS[operation](self.provider_for(instance), instance, pending, target)
            if operation is Operation.TERMINATE:
                # The VPS's additional addresses go with it (safe to repeat, like the rest).
                released = release_addresses(self, instance)
        except ProviderError as error:
            outcomes = instance.abandon(error.code, error.message)
        else:
            outcomes = instance.confirm(operation)
        ended = self.close_jobs(outcomes)
        self.save_tracked(
            instance, *ended, *released, self.close_create_job(instance), position=position
        )

    # ---- reactions to dns.events ---------------------------------------------------------

    def record_dns(
        self, instance_id: UUID, record_id: str, fqdn: str, provider: str, position: Position
    ) -> None:
        """DNS points at the server: the instance may now become active."""
        instance = self._require(instance_id)
        ended = self.close_jobs(instance.assign_dns(record_id, fqdn, provider))
        self.save_tracked(instance, *ended, self.close_create_job(instance), position=position)

    def dns_failed(self, instance_id: UUID, code: str, message: str, position: Position) -> None:
        """DNS could not be created for good: roll the instance back."""
        instance = self._require(instance_id)
        instance.fail(code, message)
        self.save_tracked(instance, position=position)

    # ---- resource usage ------------------------------------------------------------------

    def sample_usage(self) -> list[ServerUsage]:
        """The latest usage of every running server, at every provider; a provider that
        fails is logged and skipped, so the others are still sampled."""
        samples: list[ServerUsage] = []
        for name, provider in self.providers.items():
            try:
                samples += provider.usage()
            except Exception:
                log.exception("sampling the usage of %s servers failed", name)
        return samples

    # ---- lookups -------------------------------------------------------------------------

    def instance(self, instance_id: UUID) -> Instance | None:
        try:
            instance: Instance = self.repository.get(instance_id)
        except AggregateNotFoundError:
            return None
        return instance

    def _require(self, instance_id: UUID) -> Instance:
        instance = self.instance(instance_id)
        if instance is None:
            raise LookupError(f"instance {instance_id} does not exist")
        return instance

    def provider_for(self, instance: Instance) -> ServerProvider:
        provider = self.providers.get(instance.provider)
        if provider is None:
            raise ProviderError(
                "PROVIDER_UNAVAILABLE", f"no {instance.provider} account is configured"
            )
        return provider

    def job(self, job_id: UUID | None) -> Job | None:
        if job_id is None:
            return None
        try:
            job: Job = self.repository.get(job_id)
        except AggregateNotFoundError:
            return None
        return job

    def close_jobs(self, outcomes: list[JobOutcome], current: Job | None = None) -> list[Job]:
        """End the jobs of `outcomes`; returns those to save besides `current` (the job of
        the command being handled, which its caller saves anyway)."""
        ended: list[Job] = []
        for outcome in outcomes:
            is_current = current is not None and outcome.job_id == current.id
            job = current if is_current else self.job(outcome.job_id)
            if job is None:
                continue
            if outcome.code is None:
                job.succeed(outcome.result)
            else:
                job.fail(outcome.code, outcome.message, outcome.result)
            if not is_current:
                ended.append(job)
        return ended

    def close_create_job(self, instance: Instance) -> Job | None:
        """The create job ends when the instance is active, in error or terminated."""
        job = self.job(instance.create_job_id)
        if job is None or job.finished:
            return None
        if instance.status is InstanceStatus.ACTIVE:
            job.succeed()
        elif instance.status in {InstanceStatus.ERROR, InstanceStatus.TERMINATED}:
            job.fail(instance.error_code or "TERMINATED", instance.error_message or "terminated")
        return job


def _resize(
    provider: ServerProvider, instance: Instance, _: RequestedOperation, plan: PlanSpec | None
) -> None:
    assert plan is not None
    running = instance.status is InstanceStatus.ACTIVE and instance.running
    provider.resize(instance.id, plan, start_after=running)


def _rebuild(
    provider: ServerProvider, instance: Instance, pending: RequestedOperation, _: PlanSpec | None
) -> None:
    assert pending.image is not None
    provider.rebuild(instance.id, pending.image, list(pending.ssh_keys))


def _restore(provider: ServerProvider, instance: Instance, *_: object) -> None:
    pending = instance.pending
    assert pending is not None and pending.backup_id is not None
    provider.restore_backup(instance.id, pending.backup_id)


# The provider calls of each operation (given the operation in progress and a resize's target
# plan); each is safe to repeat.
PROVIDER_ACTS: dict[
    Operation, Callable[[ServerProvider, Instance, RequestedOperation, PlanSpec | None], object]
] = {
    Operation.TERMINATE: lambda provider, instance, *_: provider.ensure_deleted(instance.id),
    Operation.SUSPEND: lambda provider, instance, *_: provider.power_off(instance.id),
    Operation.UNSUSPEND: lambda provider, instance, *_: provider.power_on(instance.id),
    Operation.REBOOT: lambda provider, instance, *_: provider.reboot(instance.id),
    Operation.RESIZE: _resize,
    Operation.STOP: lambda provider, instance, *_: provider.power_off(instance.id),
    Operation.START: lambda provider, instance, *_: provider.power_on(instance.id),
    Operation.REBUILD: _rebuild,
    Operation.RESTORE: _restore,
}
