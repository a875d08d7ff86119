"""Event payloads: the public, additive-only contract of every `*.events` topic.

Billing's (`invoice.events`, `billing.events`) are in `billing_events`, the support
service's (`support.events`) in `support_events`.

Each model's `ce_type` is the CloudEvents type it travels under; the Kafka key and
`ce_subject` are the aggregate id, `ce_sequence` its version.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from hostplane.contracts.billing_events import BILLING_PAYLOADS
from hostplane.contracts.network import FirewallRule
from hostplane.contracts.payload import EventPayload as EventPayload
from hostplane.contracts.support_events import SUPPORT_PAYLOADS
from hostplane.contracts.topics import (
    DNS_EVENTS,
    JOB_EVENTS,
    USER_EVENTS,
    VPS_EVENTS,
    WHMCS_WEBHOOKS,
)

# ---- vps.events (key: instance id) -------------------------------------------------------


class VpsEvent(EventPayload):
    topic = VPS_EVENTS
    instance_id: UUID


class InstanceCreated(VpsEvent):
    ce_type = "vps.created"
    job_id: UUID | None
    whmcs_service_id: int
    whmcs_client_id: int
    plan: str
    region: str
    email: str
    subdomain: str
    server_type: str
    location: str
    ai_preset: str | None
    ready_token_sha256: str
    provider: str = "hetzner"  # where its server is placed; `server_type`, `location` are its
    # Billing's owner of an mPanel CloudPod (None for a WHMCS order).
    tenant_id: UUID | None = None
    customer_id: UUID | None = None
    subscription_id: UUID | None = None
    image: str | None = None  # what its server is built from; None: the default image


class ServerCreated(VpsEvent):
    ce_type = "vps.server_created"
    # The provider's numeric server id (a Proxmox VMID too): kept for subscribers that read
    # it since before `provider` and `server_id`, which say the same for every provider.
    hetzner_id: int
    server_type: str
    datacenter: str
    ip_address: str
    subdomain: str
    # The provider's create action; the server is still booting when this is published.
    action_id: int | None = None
    provider: str = "hetzner"
    server_id: int | None = None
    # What to watch for the end of the boot at any provider (a Proxmox task's UPID).
    boot: str | None = None


class DnsAssigned(VpsEvent):
    ce_type = "vps.dns_assigned"
    # The DNS provider's record id, whichever provider: kept for subscribers of old;
    # `record_id` says the same.
    cloudflare_record_id: str
    fqdn: str
    provider: str = "cloudflare"
    record_id: str | None = None


class ReadyReported(VpsEvent):
    ce_type = "vps.ready_reported"
    openclaw_version: str
    gateway_port: int


class InstanceActivated(VpsEvent):
    ce_type = "vps.active"


class OperationRequest(VpsEvent):
    """An operation is now in progress on the instance: the saga carries out job `job_id`."""

    job_id: UUID


class SuspendRequested(OperationRequest):
    ce_type = "vps.suspend_requested"


class InstanceSuspended(VpsEvent):
    ce_type = "vps.suspended"


class UnsuspendRequested(OperationRequest):
    ce_type = "vps.unsuspend_requested"


class InstanceUnsuspended(VpsEvent):
    ce_type = "vps.unsuspended"


class TerminateRequested(OperationRequest):
    ce_type = "vps.terminate_requested"


class InstanceTerminated(VpsEvent):
    ce_type = "vps.deleted"
    data_deleted: bool


class RebootRequested(OperationRequest):
    ce_type = "vps.reboot_requested"


class InstanceRebooted(VpsEvent):
    ce_type = "vps.rebooted"


class ResizeRequested(OperationRequest):
    ce_type = "vps.resize_requested"
    new_plan: str
    server_type: str


class InstanceResized(VpsEvent):
    ce_type = "vps.resized"
    plan: str
    server_type: str


class StopRequested(OperationRequest):
    ce_type = "vps.stop_requested"


class InstanceStopped(VpsEvent):
    """Its customer powered the server off; it stays theirs until started again."""

    ce_type = "vps.stopped"


class StartRequested(OperationRequest):
    ce_type = "vps.start_requested"


class InstanceStarted(VpsEvent):
    """A stopped server was powered on again."""

    ce_type = "vps.started"


class RebuildRequested(OperationRequest):
    ce_type = "vps.rebuild_requested"
    image: str


class InstanceRebuilt(VpsEvent):
    """The server's disk was written anew from `image`; it runs again."""

    ce_type = "vps.rebuilt"
    image: str


class ConfigUpdated(VpsEvent):
    """The instance's agent settings changed. Names of secrets only, never their values."""

    ce_type = "vps.config_updated"
    model: str | None
    channels: dict[str, bool]
    secrets_set: list[str]
    restart_required: bool


class OperationQueued(VpsEvent):
    """An operation waits for the one before it (`behind`: an operation, or "provisioning")."""

    ce_type = "vps.operation_queued"
    job_id: UUID
    operation: str
    behind: str
    new_plan: str | None = None


class OperationSkipped(VpsEvent):
    """An operation found its target already reached: its job succeeded without acting."""

    ce_type = "vps.operation_skipped"
    job_id: UUID
    operation: str
    status: str
    since: datetime | None


class OperationRefused(VpsEvent):
    """An operation could never succeed from the state it met: its job failed."""

    ce_type = "vps.operation_refused"
    job_id: UUID
    operation: str
    error_code: str
    error_message: str


class OperationFailed(VpsEvent):
    """The provider could not carry out a suspend, unsuspend, reboot or resize."""

    ce_type = "vps.operation_failed"
    error_code: str
    error_message: str


class ProvisioningFailed(VpsEvent):
    """A provisioning step failed for good; compensation (removing what exists) follows."""

    ce_type = "vps.provisioning_failed"
    error_code: str
    error_message: str


class InstanceErrored(VpsEvent):
    """Compensation finished: nothing is left at the providers and the instance is in error."""

    ce_type = "vps.error"
    error_code: str
    error_message: str


class RestoreRequested(OperationRequest):
    """A restore is in progress: the server is stopped, its disk replaced, started again."""

    ce_type = "vps.restore_requested"
    backup_id: UUID


class InstanceRestored(VpsEvent):
    ce_type = "vps.restored"
    backup_id: UUID | None


# ---- vps.events, a VPS's backups (key: backup id) -----------------------------------------


class BackupEvent(VpsEvent):
    """An event of backup `backup_id` of instance `instance_id`."""

    backup_id: UUID


class BackupRequested(BackupEvent):
    """A backup was asked for: the saga has the provider take it."""

    ce_type = "vps.backup.requested"
    name: str
    description: str | None
    kind: str  # manual | automatic
    job_id: UUID | None


class BackupCreated(BackupEvent):
    ce_type = "vps.backup.created"
    name: str
    provider: str
    size_bytes: int
    # When the provider took it (the event's `occurred_at` is when Hostplane learnt of it).
    created_at: datetime


class BackupFailed(BackupEvent):
    ce_type = "vps.backup.failed"
    name: str
    error_code: str
    error_message: str


class BackupDeletionRequested(BackupEvent):
    ce_type = "vps.backup.deletion_requested"
    job_id: UUID


class BackupDeleted(BackupEvent):
    ce_type = "vps.backup.deleted"


class BackupDeletionFailed(BackupEvent):
    """The provider could not delete the backup: it is still there, and available."""

    ce_type = "vps.backup.deletion_failed"
    error_code: str
    error_message: str


class NetworkEvent(VpsEvent):
    """A change to a VPS's network, published under its network's id (`network_id`)."""

    network_id: UUID


class FirewallUpdated(NetworkEvent):
    """The firewall at the provider now holds exactly these rules."""

    ce_type = "vps.firewall_updated"
    rules: list[FirewallRule]


class AddressAttached(NetworkEvent):
    """An additional address is the VPS's (a Hetzner Floating IP, an address of a Proxmox
    cluster's pool)."""

    ce_type = "vps.address_attached"
    address_id: UUID
    address: str
    ip_version: int


class AddressReleased(NetworkEvent):
    """An additional address is no longer the VPS's (it was deleted with the VPS)."""

    ce_type = "vps.address_released"
    address_id: UUID
    address: str


# ---- dns.events (key: instance id, so one instance's records stay in order) ------------


class DnsEvent(EventPayload):
    topic = DNS_EVENTS
    instance_id: UUID
    record_name: str


class RecordCreated(DnsEvent):
    ce_type = "dns.record_created"
    record_id: str
    provider: str = "cloudflare"
    record_type: str
    content: str


class RecordFailed(DnsEvent):
    ce_type = "dns.record_failed"
    error_code: str
    error_message: str


class RecordDeleted(DnsEvent):
    ce_type = "dns.record_deleted"
    record_id: str | None


# ---- jobs.events (key: job id = command id) ---------------------------------------------


class JobEvent(EventPayload):
    topic = JOB_EVENTS
    job_id: UUID


class JobStarted(JobEvent):
    ce_type = "job.started"
    command: str
    instance_id: UUID | None


class JobSucceeded(JobEvent):
    ce_type = "job.succeeded"
    result: dict[str, Any] = {}


class JobFailed(JobEvent):
    ce_type = "job.failed"
    error_code: str
    error_message: str
    result: dict[str, Any] = {}  # what the command met, e.g. the state that refused it


# ---- users.events (key: user id) -----------------------------------------------------------


class UserEvent(EventPayload):
    topic = USER_EVENTS
    user_id: UUID
    whmcs_client_id: int
    email: str


class UserRegistered(UserEvent):
    ce_type = "user.registered"


class UserLoggedIn(UserEvent):
    ce_type = "user.logged_in"


# ---- whmcs.webhooks (key: WHMCS service id): every hook WHMCS delivered, as received ------


class WhmcsWebhookReceived(EventPayload):
    topic = WHMCS_WEBHOOKS
    ce_type = "whmcs.webhook_received"
    webhook_id: UUID
    event: str
    service_id: int
    client_id: int
    data: dict[str, Any]
    command_id: UUID | None  # the command it became, if any


OWN_PAYLOADS: tuple[type[EventPayload], ...] = (
    InstanceCreated,
    ServerCreated,
    DnsAssigned,
    ReadyReported,
    InstanceActivated,
    SuspendRequested,
    InstanceSuspended,
    UnsuspendRequested,
    InstanceUnsuspended,
    TerminateRequested,
    InstanceTerminated,
    RebootRequested,
    InstanceRebooted,
    ResizeRequested,
    InstanceResized,
    StopRequested,
    InstanceStopped,
    StartRequested,
    InstanceStarted,
    RebuildRequested,
    InstanceRebuilt,
    OperationQueued,
    OperationSkipped,
    OperationRefused,
    OperationFailed,
    ConfigUpdated,
    ProvisioningFailed,
    InstanceErrored,
    FirewallUpdated,
    AddressAttached,
    AddressReleased,
    RestoreRequested,
    InstanceRestored,
    BackupRequested,
    BackupCreated,
    BackupFailed,
    BackupDeletionRequested,
    BackupDeleted,
    BackupDeletionFailed,
    RecordCreated,
    RecordFailed,
    RecordDeleted,
    JobStarted,
    JobSucceeded,
    JobFailed,
    UserRegistered,
    UserLoggedIn,
    WhmcsWebhookReceived,
)

EVENT_TYPES: dict[str, type[EventPayload]] = {
    model.ce_type: model for model in (*OWN_PAYLOADS, *BILLING_PAYLOADS, *SUPPORT_PAYLOADS)
}


def parse_event(ce_type: str, body: bytes) -> EventPayload | None:
    """The payload for a CloudEvents type, or None for a type this version does not know."""
    model = EVENT_TYPES.get(ce_type)
    return model.model_validate_json(body) if model else None
