"""Seed 003, Webhooks: the events sent to subscribers, their payload and its signature."""

import hmac
from enum import StrEnum
from hashlib import sha256

from pydantic import ConfigDict

from hostplane.contracts.cloudvps.wire import Body, Id, Timestamp


class WebhookEvent(StrEnum):
    VPS_CREATED = "vps.created"
    VPS_STARTED = "vps.started"
    VPS_STOPPED = "vps.stopped"
    VPS_DELETED = "vps.deleted"
    VPS_BACKUP_CREATED = "vps.backup.created"
    VPS_BACKUP_FAILED = "vps.backup.failed"
    INVOICE_CREATED = "invoice.created"
    INVOICE_PAID = "invoice.paid"
    INVOICE_OVERDUE = "invoice.overdue"
    PAYMENT_SUCCEEDED = "payment.succeeded"
    PAYMENT_FAILED = "payment.failed"
    USER_REGISTERED = "user.registered"
    USER_SUSPENDED = "user.suspended"


class WebhookData(Body):
    """The ids an event is about, and whatever else that event carries."""

    model_config = ConfigDict(extra="allow")

    vps_id: Id | None = None
    user_id: Id | None = None
    plan: str | None = None


class WebhookPayload(Body):
    event: WebhookEvent
    timestamp: Timestamp
    data: WebhookData


def sign(body: bytes, secret: bytes) -> str:
    """The signature of a payload as sent: HMAC-SHA256 of its exact bytes, in hex."""
    return hmac.new(secret, body, sha256).hexdigest()


def verify(body: bytes, signature: str, secret: bytes) -> bool:
    """Whether `signature` is the payload's, compared in constant time."""
    return hmac.compare_digest(sign(body, secret), signature.lower())
