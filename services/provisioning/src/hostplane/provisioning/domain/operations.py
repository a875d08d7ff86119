"""Operations on a live instance, and the one rule that judges them against a state.

An operation meets the state the operations before it left. There it finds its target
already reached (it succeeds without acting), can never succeed (it is refused), or acts.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from hostplane.contracts.catalog import PLANS, Plan
from hostplane.contracts.openclaw.errors import ErrorCode
from hostplane.contracts.vps import InstanceStatus, iso


class Operation(StrEnum):
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    TERMINATE = "terminate"
    REBOOT = "reboot"
    RESIZE = "resize"
    STOP = "stop"
    START = "start"
    REBUILD = "rebuild"
    RESTORE = "restore"


class TransitionRefused(Exception):
    """The instance's state does not allow what was asked; recorded on the job, not raised out."""

    def __init__(
        self,
        message: str,
        code: str = ErrorCode.INVALID_STATE,
        status: InstanceStatus | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    @property
    def result(self) -> dict[str, str]:
        """What the refused job reports: the state that refused it, when there is one."""
        return {"status": self.status.value} if self.status else {}


@dataclass(frozen=True)
class PlanChoice:
    """A resize's target: the plan, its size's name at the instance's provider, its disk."""

    plan: str
    server_type: str
    disk_gb: int


@dataclass(frozen=True)
class RequestedOperation:
    """An operation asked for by job `job_id`: queued, in progress, or about to be judged."""

    operation: Operation
    job_id: UUID
    plan: str | None = None  # a resize's target
    server_type: str | None = None
    # None in operations requested before disks were recorded: the default catalog's then.
    disk_gb: int | None = None
    image: str | None = None  # a rebuild's operating system
    ssh_keys: tuple[str, ...] = ()  # and the public keys it lets in
    backup_id: UUID | None = None  # a restore's backup

    @classmethod
    def of(
        cls,
        operation: Operation,
        job_id: UUID,
        target: PlanChoice | None,
        rebuild: "RebuildChoice | None" = None,
        backup_id: UUID | None = None,
    ) -> "RequestedOperation":
        if backup_id is not None:
            return cls(operation, job_id, backup_id=backup_id)
        if rebuild is not None:
            return cls(operation, job_id, image=rebuild.image, ssh_keys=rebuild.ssh_keys)
        if target is None:
            return cls(operation, job_id)
        return cls(operation, job_id, target.plan, target.server_type, target.disk_gb)


@dataclass(frozen=True)
class RebuildChoice:
    """A rebuild's target: the image to write anew, and the SSH public keys it lets in."""

    image: str
    ssh_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobOutcome:
    """How an operation's job ended: succeeded with `result` when `code` is None, else failed.

    `result` names the state the operation met or left and, when known, since when.
    """

    job_id: UUID
    result: dict[str, str] = field(default_factory=dict)
    code: str | None = None
    message: str = ""


ALLOWED_FROM: dict[Operation, frozenset[InstanceStatus]] = {
    Operation.SUSPEND: frozenset({InstanceStatus.ACTIVE}),
    Operation.UNSUSPEND: frozenset({InstanceStatus.SUSPENDED}),
    # Provisioning only while the build runs: terminate cuts it short.
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
    # Power is the customer's to switch while the instance is theirs to use, not suspended.
    Operation.STOP: frozenset({InstanceStatus.ACTIVE}),
    Operation.START: frozenset({InstanceStatus.ACTIVE}),
    Operation.REBUILD: frozenset({InstanceStatus.ACTIVE}),
    # Stopped or running: the server is stopped while its disk is written, and runs after.
    Operation.RESTORE: frozenset({InstanceStatus.ACTIVE}),
}
# What a stopped server cannot do until it is started again.
NEEDS_POWER = frozenset({Operation.REBOOT})

RESULTING_STATUS = {
    Operation.SUSPEND: InstanceStatus.SUSPENDED,
    Operation.UNSUSPEND: InstanceStatus.ACTIVE,
    Operation.TERMINATE: InstanceStatus.TERMINATED,
}

# How a refusal names a state, in plain English ("Instance is in error").
STATE_NAMES = {InstanceStatus.ERROR: "in error"}


def state_message(status: InstanceStatus) -> str:
    return f"Instance is {STATE_NAMES.get(status, status.value)}"


def already_reached(
    requested: RequestedOperation,
    status: InstanceStatus,
    plan: str,
    disk_gb: int | None,
    running: bool = True,
) -> bool:
    """Whether `requested` finds its target already reached in `status` on `plan`, with the
    server `running` or stopped.

    Raises TransitionRefused when it can never succeed from there.
    """
    if RESULTING_STATUS.get(requested.operation) is status:
        return True
    if status not in ALLOWED_FROM[requested.operation]:
        raise TransitionRefused(state_message(status), status=status)
    if requested.operation is Operation.STOP:
        return not running
    if requested.operation is Operation.START:
        return running
    if requested.operation in NEEDS_POWER and not running:
        raise TransitionRefused("Instance is stopped", status=status)
    if requested.operation is Operation.RESIZE:
        assert requested.plan is not None
        return _resize_reached(plan, disk_gb, requested)
    return False


def _resize_reached(current: str, disk_gb: int | None, target: RequestedOperation) -> bool:
    """A resize to the plan the instance is on is done; disks can grow but never shrink."""
    assert target.plan is not None
    if target.plan == current:
        return True
    wanted = target.disk_gb or PLANS[Plan(target.plan)].disk_gb
    now = disk_gb or PLANS[Plan(current)].disk_gb
    if wanted < now:
        raise TransitionRefused(
            f"{target.plan} has a {wanted} GB disk, smaller than the instance's "
            f"{now} GB: disks cannot shrink",
            code=ErrorCode.DOWNGRADE_NOT_POSSIBLE,
        )
    return False


def state_result(
    status: InstanceStatus,
    since: datetime | None,
    plan: str | None = None,
    power: str | None = None,
) -> dict[str, str]:
    """A job's result: the state its operation met or left, since when, the plan, and
    whether the server is `on` or `off` (for the operations that switch it)."""
    result = {"status": status.value}
    if since is not None:
        result["at"] = iso(since)
    if plan is not None:
        result["plan"] = plan
    if power is not None:
        result["power"] = power
    return result
