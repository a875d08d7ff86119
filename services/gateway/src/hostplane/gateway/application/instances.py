"""Seed 000's instance use cases: order, read, suspend, unsuspend, terminate, reboot, resize,
the ready callback and the dashboard's AI settings.

Lifecycle commands are checked here only for what needs no state (the catalog, that the
instance exists and who may see it): the provisioning service queues each behind the ones
before it and decides there whether it can happen. Suspend, unsuspend and terminate answer
from their own job, so a later command's effect never shows in an earlier one's answer.
"""

import hashlib
from dataclasses import dataclass
from uuid import UUID

from hostplane.contracts.catalog import Plan
from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.identity import default_subdomain, instance_id_for
from hostplane.contracts.openclaw.instances import (
    CreateInstanceRequest,
    ReadyRequest,
    ResizeRequest,
    UpdateConfigRequest,
)
from hostplane.contracts.secrets import SealedSecret, SecretBox
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.contracts.vps import InstanceStatus, iso
from hostplane.gateway.application.jobs import Jobs
from hostplane.gateway.application.ports import CommandPublisher, InstanceReads
from hostplane.gateway.application.readmodels import InstanceRow, InstanceState, JobRow
from hostplane.gateway.domain.access import Principal, visible
from hostplane.gateway.domain.catalog import plan_named, region_named
from hostplane.gateway.domain.errors import HostnameTaken, NotFound
from hostplane.gateway.settings import Settings


@dataclass(frozen=True)
class Order:
    """The instance an order landed on; `created` is False for a retried order."""

    instance_id: UUID
    subdomain: str
    created: bool


@dataclass(frozen=True)
class Resize:
    old_plan: str
    new_plan: Plan


@dataclass(frozen=True)
class Instances:
    settings: Settings
    reads: InstanceReads
    commands: CommandPublisher
    jobs: Jobs
    secret_box: SecretBox

    async def order(self, request: CreateInstanceRequest) -> Order:
        """Create an instance for a WHMCS service (idempotent per `whmcs_service_id`)."""
        plan = plan_named(request.plan, self.settings.plans)
        region = region_named(request.region, self.settings.regions)
        instance_id = instance_id_for(request.whmcs_service_id)
        wanted = request.hostname or default_subdomain(instance_id)
        check = await self.reads.order_check(instance_id, wanted)
        if check.existing_subdomain is not None:
            return Order(instance_id, check.existing_subdomain, created=False)
        if check.subdomain_owner not in (None, instance_id):
            raise HostnameTaken(f"Hostname '{wanted}' is taken", {"hostname": wanted})
        await self.commands.send(
            PROVISIONING_COMMANDS,
            instance_id,
            commands.CreateInstance(
                instance_id=instance_id,
                whmcs_service_id=request.whmcs_service_id,
                whmcs_client_id=request.whmcs_client_id,
                plan=plan,
                region=region,
                email=request.email,
                subdomain=wanted,
                ssh_key_ids=request.ssh_key_ids,
                ai_preset=request.ai_preset,
            ),
        )
        return Order(instance_id, wanted, created=True)

    async def get(self, principal: Principal, instance_id: UUID) -> InstanceRow:
        """The instance, if the principal may see it."""
        return visible(principal, await self.reads.instance(instance_id))

    async def suspend(self, instance_id: UUID) -> str:
        """Suspend an instance; returns when it was suspended."""
        await self._existing(instance_id)
        command = commands.SuspendInstance(instance_id=instance_id)
        return _at(await self.jobs.run(instance_id, command))

    async def unsuspend(self, instance_id: UUID) -> str:
        """Unsuspend an instance; returns when it was active again."""
        await self._existing(instance_id)
        command = commands.UnsuspendInstance(instance_id=instance_id)
        return _at(await self.jobs.run(instance_id, command))

    async def terminate(self, instance_id: UUID) -> str:
        """Terminate an instance (its server and DNS record go); returns when."""
        await self._existing(instance_id)
        command = commands.TerminateInstance(instance_id=instance_id)
        return _at(await self.jobs.run(instance_id, command))

    async def reboot(self, principal: Principal, instance_id: UUID) -> None:
        """Queue a reboot of an instance the principal may see."""
        visible(principal, await self.reads.instance_state(instance_id))
        await self.commands.send(
            PROVISIONING_COMMANDS, instance_id, commands.RebootInstance(instance_id=instance_id)
        )

    async def resize(self, instance_id: UUID, request: ResizeRequest) -> Resize:
        """Queue a move to another plan (disks grow, never shrink: the job judges that)."""
        new_plan = plan_named(request.new_plan, self.settings.plans)
        old_plan = (await self._existing(instance_id)).plan
        await self.commands.send(
            PROVISIONING_COMMANDS,
            instance_id,
            commands.ResizeInstance(instance_id=instance_id, new_plan=new_plan),
        )
        return Resize(old_plan, new_plan)

    async def report_ready(self, instance_id: UUID, token: str, ready: ReadyRequest) -> None:
        """Cloud-init's callback: the application is up. A repeated callback changes nothing."""
        state = await self.reads.instance_state(instance_id)  # may lag: then the command decides
        if state and (state.status != InstanceStatus.PROVISIONING or state.openclaw_version):
            return
        await self.commands.send(
            PROVISIONING_COMMANDS,
            instance_id,
            commands.ReportInstanceReady(
                instance_id=instance_id,
                token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                openclaw_version=ready.openclaw_version,
                gateway_port=ready.gateway_port,
            ),
        )

    async def configure(
        self, principal: Principal, instance_id: UUID, request: UpdateConfigRequest
    ) -> bool:
        """Change the agent's model, API keys and channels; returns whether the agent must
        restart. Secrets are sealed before they leave the gateway."""
        visible(principal, await self.reads.instance_state(instance_id))
        command = commands.UpdateInstanceConfig(
            instance_id=instance_id,
            model=request.agent.model if request.agent else None,
            channels=channels_of(request),
            secrets=secrets_of(request, self.secret_box),
        )
        return (await self.jobs.run(instance_id, command)).restart_required

    async def _existing(self, instance_id: UUID) -> InstanceState:
        state = await self.reads.instance_state(instance_id)
        if state is None:
            raise NotFound("Instance not found")
        return state


def secrets_of(request: UpdateConfigRequest, box: SecretBox) -> dict[str, SealedSecret]:
    """Every secret in the request, sealed, by name."""
    plain: dict[str, str] = {}
    if request.api_keys:
        for provider in ("anthropic", "openai"):
            if value := getattr(request.api_keys, provider):
                plain[f"api_key:{provider}"] = value
        plain |= {
            f"api_key:custom:{name}": value for name, value in request.api_keys.custom.items()
        }
    if request.channels and request.channels.telegram and request.channels.telegram.bot_token:
        plain["channel:telegram"] = request.channels.telegram.bot_token
    return {name: box.seal(value) for name, value in plain.items()}


def channels_of(request: UpdateConfigRequest) -> dict[str, bool]:
    if request.channels is None:
        return {}
    return {name: toggle.enabled for name, toggle in request.channels if toggle is not None}


def _at(job: JobRow) -> str:
    """When the state the job's command met or left was reached (its job's result says)."""
    if job.at is not None:
        return job.at
    assert job.finished_at is not None
    return iso(job.finished_at)
