"""Jobs as the panel names them (`cloudpod_provision`, …), and which failed ones it retries."""

import re
from collections.abc import Callable
from uuid import UUID

from hostplane.contracts.commands import provisioning as commands
from hostplane.gateway.domain.errors import Conflict

# The seed's names for a CloudPod's jobs; every other command is its name in snake_case.
JOB_TYPES = {
    "CreateInstance": "cloudpod_provision",
    "SuspendInstance": "cloudpod_suspend",
    "UnsuspendInstance": "cloudpod_unsuspend",
    "TerminateInstance": "cloudpod_delete",
}
COMMANDS = {name: command for command, name in JOB_TYPES.items()}

InstanceCommand = commands.SuspendInstance | commands.UnsuspendInstance | commands.TerminateInstance
# What a failed job is retried as: the same command again, for the same CloudPod.
RETRIES: dict[str, Callable[[UUID], InstanceCommand]] = {
    "SuspendInstance": lambda target: commands.SuspendInstance(instance_id=target, reason="admin"),
    "UnsuspendInstance": lambda target: commands.UnsuspendInstance(instance_id=target),
    "TerminateInstance": lambda target: commands.TerminateInstance(instance_id=target),
}


def job_type(command: str) -> str:
    return JOB_TYPES.get(command) or re.sub(r"(?<!^)(?=[A-Z])", "_", command).lower()


def command_of(job_type: str) -> str:
    """The command whose jobs have this type (the inverse of `job_type`)."""
    return COMMANDS.get(job_type) or "".join(part.title() for part in job_type.split("_"))


def retried(command: str, status: str, target_id: UUID | None) -> InstanceCommand:
    """The command that retries a job; CONFLICT saying why when it cannot be retried."""
    if status != "failed":
        raise Conflict(f"Only a failed job is retried; this one is {status}")
    if command == "CreateInstance":
        raise Conflict(
            "A failed provisioning is not retried as a job: request the CloudPod again "
            "(POST /cloudpods), which provisions it anew"
        )
    retry = RETRIES.get(command)
    if retry is None or target_id is None:
        raise Conflict(f"A {job_type(command)} job is not retried from the panel")
    return retry(target_id)
