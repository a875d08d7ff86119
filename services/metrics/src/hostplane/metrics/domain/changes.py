"""What an event changes in the read models: one value per row it writes, and no I/O.

The projection rules (`projection.py`) turn each event into changes; the view store writes
them, each kind by one SQL statement. Billing's are in `billing_changes.py`.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict
from uuid import UUID

from hostplane.contracts import events as e
from hostplane.contracts.telemetry import LogLevel
from hostplane.metrics.domain.billing_changes import BillingChange
from hostplane.metrics.domain.network_changes import NetworkChange
from hostplane.metrics.domain.ticket_projection import TicketChange


class InstanceFields(TypedDict, total=False):
    """The columns of `instances` an event may set."""

    status: str
    pending_operation: str | None
    plan: str
    server_type: str
    # The provider's server id, whichever provider (the column keeps the name readers know).
    hetzner_id: int
    server_provider: str
    datacenter: str
    ip_address: str
    # The DNS record's id, whichever provider (the column keeps the name readers know).
    cloudflare_record_id: str
    dns_provider: str
    fqdn: str
    openclaw_version: str
    gateway_port: int
    ready_at: datetime
    suspended_at: datetime
    unsuspended_at: datetime
    stopped_at: datetime | None
    running_since: datetime | None
    image: str
    terminated_at: datetime
    data_deleted: bool
    error_code: str
    error_message: str


@dataclass(frozen=True)
class InstanceAdded:
    """An ordered instance's row, in `status` (an instance arrives once)."""

    order: e.InstanceCreated
    version: int
    status: str


@dataclass(frozen=True)
class InstanceChanged:
    """Columns of an instance, set unless a newer event was applied to it already."""

    instance_id: UUID
    version: int
    at: datetime
    fields: InstanceFields


@dataclass(frozen=True)
class InstanceConfigured:
    """Agent settings merged into an instance's: channels by name, secret names added."""

    instance_id: UUID
    version: int
    at: datetime
    model: str | None
    channels: dict[str, bool]
    secrets_set: list[str]


@dataclass(frozen=True)
class UserSeen:
    """A WHMCS client seen at `at`: created if new, its first sighting and last login kept.

    `email_is_current`: the email replaces the one known (the user's own events); an order's
    email only fills a new row.
    """

    user_id: UUID
    whmcs_client_id: int
    email: str
    at: datetime
    logged_in_at: datetime | None = None
    email_is_current: bool = True


@dataclass(frozen=True)
class JobStarted:
    job_id: UUID
    instance_id: UUID | None
    command: str
    at: datetime


@dataclass(frozen=True)
class JobFinished:
    """A job's outcome (it may arrive before the job's start, on another partition)."""

    job_id: UUID
    status: str
    result: dict[str, Any]
    at: datetime
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class DnsRecordChanged:
    """An instance's DNS record now; values left None keep what was known."""

    instance_id: UUID
    record_name: str
    status: str
    at: datetime
    record_id: str | None = None
    provider: str | None = None
    content: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class WebhookReceived:
    """A WHMCS hook, kept once (a redelivered hook has the same id)."""

    webhook: e.WhmcsWebhookReceived


@dataclass(frozen=True)
class LogLine:
    """A line of an instance's log (one per event: `batch_id` names the event)."""

    instance_id: UUID
    ts: datetime
    level: LogLevel
    message: str
    batch_id: UUID


Change = (
    InstanceAdded
    | InstanceChanged
    | InstanceConfigured
    | UserSeen
    | JobStarted
    | JobFinished
    | DnsRecordChanged
    | WebhookReceived
    | LogLine
    | BillingChange
    | NetworkChange
    | TicketChange
)
