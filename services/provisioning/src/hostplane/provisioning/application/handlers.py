"""One handler per command on `provisioning.commands`, found by the command's type.

A handler gets the application, the command and its (new) job, and returns the aggregates it
changed; `handle_command` saves them with the job and the command's position, in one
transaction. A command handled before (its job exists) changes nothing.
"""

import hmac
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from hostplane.contracts.catalog import SERVER_IMAGE
from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.vps import InstanceStatus
from hostplane.messaging.eventstore import Position
from hostplane.messaging.jobs import Job
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.application import backups
from hostplane.provisioning.application.network import attach_address, update_firewall
from hostplane.provisioning.application.service import Provisioning
from hostplane.provisioning.domain.instance import Instance
from hostplane.provisioning.domain.operations import (
    Operation,
    RebuildChoice,
    TransitionRefused,
    state_message,
)
from hostplane.provisioning.domain.subdomain import SubdomainClaim
from hostplane.provisioning.domain.user import User

Changed = list[Aggregate | None]
Handler = Callable[[Provisioning, Any, Job], Changed]
InstanceHandler = Callable[[Provisioning, Instance, Any, Job], Changed]


def handle_command(
    app: Provisioning,
    command: commands.ProvisioningCommand,
    job_id: UUID,
    position: Position | None,
) -> None:
    """Carry out one command from `provisioning.commands` as job `job_id`."""
    job = app.new_job(job_id, type(command).__name__, command.subject_id)
    if job is None:
        app.save_tracked(position=position)  # a redelivered command whose job exists
        return
    changed = COMMAND_HANDLERS[type(command)](app, command, job)
    app.save_tracked(job, *changed, position=position)


def register_user(app: Provisioning, command: commands.RegisterUser, job: Job) -> Changed:
    try:
        user: User = app.repository.get(User.create_id(command.whmcs_client_id))
        user.log_in(str(command.email))
    except AggregateNotFoundError:
        user = User(whmcs_client_id=command.whmcs_client_id, email=str(command.email))
    job.succeed()
    return [user]


def create_instance(app: Provisioning, command: commands.CreateInstance, job: Job) -> Changed:
    if app.instance(command.instance_id) is not None:
        job.succeed()  # a retried create: the instance it asked for exists
        return []
    region = app.catalog.regions.get(command.region)
    if region is None:
        job.fail("REGION_UNAVAILABLE", f"{command.region.value} is not served")
        return []
    plan = app.catalog.plans[command.plan]
    instance = Instance(
        whmcs_service_id=command.whmcs_service_id,
        whmcs_client_id=command.whmcs_client_id,
        plan=command.plan.value,
        region=command.region.value,
        email=str(command.email),
        subdomain=command.subdomain,
        provider=region.provider,
        server_type=plan.size_at(region.provider),
        location=region.location,
        disk_gb=plan.disk_gb,
        ai_preset=command.ai_preset.value if command.ai_preset else None,
        ssh_key_ids=list(command.ssh_key_ids),
        ready_token_sha256=app.ready_token_sha256(command.instance_id),
        job_id=job.id,
        instance_id=command.instance_id,
        tenant_id=command.tenant_id,
        customer_id=command.customer_id,
        subscription_id=command.subscription_id,
        image=command.image or SERVER_IMAGE,
        ssh_public_keys=list(command.ssh_public_keys),
    )
    claim = _claim(app, command.subdomain, instance.id)
    if claim is None:
        instance.fail("HOSTNAME_TAKEN", f"{command.subdomain} belongs to another instance")
    return [instance, claim]


def _claim(app: Provisioning, subdomain: str, instance_id: UUID) -> SubdomainClaim | None:
    try:
        existing: SubdomainClaim = app.repository.get(SubdomainClaim.create_id(subdomain))
    except AggregateNotFoundError:
        return SubdomainClaim(subdomain=subdomain, instance_id=instance_id)
    return None if existing.instance_id != instance_id else existing


def on_instance(handler: InstanceHandler) -> Handler:
    """A handler of a command for an existing instance: another's or none is NOT_FOUND, and a
    refusal by the instance's rules fails the job with the state that refused it."""

    def handle(app: Provisioning, command: Any, job: Job) -> Changed:
        instance = app.instance(command.instance_id)
        if instance is None:
            job.fail("NOT_FOUND", f"instance {command.instance_id} does not exist")
            return []
        try:
            return [instance, *handler(app, instance, command, job)]
        except TransitionRefused as refusal:
            job.fail(refusal.code, str(refusal), refusal.result)
            return [instance]

    return handle


def request(operation: Operation) -> InstanceHandler:
    """Ask the instance for `operation`; it runs now, waits its turn, or ends at once."""

    def handle(app: Provisioning, instance: Instance, command: Any, job: Job) -> Changed:
        return [*app.close_jobs(instance.request(operation, job.id), job)]

    return handle


def resize(
    app: Provisioning, instance: Instance, command: commands.ResizeInstance, job: Job
) -> Changed:
    target = app.resize_target(instance, command.new_plan.value)
    return [*app.close_jobs(instance.request(Operation.RESIZE, job.id, target), job)]


def rebuild(
    app: Provisioning, instance: Instance, command: commands.RebuildInstance, job: Job
) -> Changed:
    choice = RebuildChoice(command.image, tuple(command.ssh_keys))
    return [*app.close_jobs(instance.request(Operation.REBUILD, job.id, rebuild=choice), job)]


def open_console(
    app: Provisioning, instance: Instance, command: commands.OpenConsole, job: Job
) -> Changed:
    """Console access from the provider, now: only a running server has a console."""
    if instance.status is not InstanceStatus.ACTIVE:
        raise TransitionRefused(state_message(instance.status), status=instance.status)
    if not instance.running:
        raise TransitionRefused("Instance is stopped", status=instance.status)
    try:
        access = app.provider_for(instance).console(instance.id)
    except ProviderError as error:
        job.fail(error.code, error.message)
        return []
    job.succeed({"console": app.sealed_console(access)})
    return []


def configure(
    app: Provisioning, instance: Instance, command: commands.UpdateInstanceConfig, job: Job
) -> Changed:
    restart = instance.configure(
        command.model,
        command.channels,
        {name: secret.model_dump() for name, secret in command.secrets.items()},
    )
    job.succeed({"restart_required": restart})
    return []


def report_ready(
    app: Provisioning, instance: Instance, command: commands.ReportInstanceReady, job: Job
) -> Changed:
    if not hmac.compare_digest(command.token_sha256, instance.ready_token_sha256):
        raise TransitionRefused("the instance token does not match")
    ended = app.close_jobs(instance.report_ready(command.openclaw_version, command.gateway_port))
    job.succeed()
    return [*ended, app.close_create_job(instance)]


COMMAND_HANDLERS: dict[type[Any], Handler] = {
    commands.RegisterUser: register_user,
    commands.CreateInstance: create_instance,
    commands.SuspendInstance: on_instance(request(Operation.SUSPEND)),
    commands.UnsuspendInstance: on_instance(request(Operation.UNSUSPEND)),
    commands.TerminateInstance: on_instance(request(Operation.TERMINATE)),
    commands.RebootInstance: on_instance(request(Operation.REBOOT)),
    commands.ResizeInstance: on_instance(resize),
    commands.StopInstance: on_instance(request(Operation.STOP)),
    commands.StartInstance: on_instance(request(Operation.START)),
    commands.RebuildInstance: on_instance(rebuild),
    commands.OpenConsole: on_instance(open_console),
    commands.UpdateInstanceConfig: on_instance(configure),
    commands.ReportInstanceReady: on_instance(report_ready),
    commands.CreateBackup: on_instance(backups.create_backup),
    commands.DeleteBackup: on_instance(backups.delete_backup),
    commands.RestoreBackup: on_instance(backups.restore_backup),
    commands.UpdateFirewall: on_instance(update_firewall),
    commands.AttachAddress: on_instance(attach_address),
}
