"""How a webhook delivery is signed, and how its receiver checks it.

Every delivery carries two signatures, so a receiver written to either scheme can check it:

- seed 003's `X-Webhook-Signature`: the lowercase hex HMAC-SHA256 of the raw body, keyed with
  the endpoint's secret as UTF-8 text (its `verifyWebhookSignature`);
- Standard Webhooks' `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`:
  `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed with the bytes that the
  secret's part after `whsec_` encodes in base64. The id and the timestamp are signed, so a
  receiver can refuse a replayed or stale delivery.

While an endpoint's secret is rotated, the old and the new one are both active: each gets its
own `v1,` entry, so a receiver holding either accepts the delivery. The seed's header holds a
single signature, made with the newest secret.
"""

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from secrets import token_bytes

SEED_SIGNATURE = "X-Webhook-Signature"
WEBHOOK_ID = "webhook-id"
WEBHOOK_TIMESTAMP = "webhook-timestamp"
WEBHOOK_SIGNATURE = "webhook-signature"

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32
TOLERANCE_S = 300


class SecretError(ValueError):
    """A secret that is not `whsec_` followed by base64."""


def new_secret() -> str:
    """A fresh endpoint secret: `whsec_` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(token_bytes(SECRET_BYTES)).decode()


def signature_headers(
    body: bytes, delivery_id: str, timestamp: datetime, secrets: Sequence[str]
) -> dict[str, str]:
    """The headers that sign one delivery, with the endpoint's active secrets, newest first.

    `delivery_id` stays the same on every retry of the delivery, so receivers can drop
    duplicates by it.
    """
    if not secrets:
        raise SecretError("a delivery is signed with at least one secret")
    seconds = int(timestamp.timestamp())
    return {
        SEED_SIGNATURE: seed_signature(body, secrets[0]),
        WEBHOOK_ID: delivery_id,
        WEBHOOK_TIMESTAMP: str(seconds),
        WEBHOOK_SIGNATURE: " ".join(
            f"v1,{standard_signature(body, delivery_id, seconds, secret)}" for secret in secrets
        ),
    }


def seed_signature(body: bytes, secret: str) -> str:
    """The `X-Webhook-Signature` value: hex HMAC-SHA256 of the body, keyed with the secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_signature(body: bytes, delivery_id: str, seconds: int, secret: str) -> str:
    """One `webhook-signature` entry without its `v1,`: base64 HMAC of `{id}.{ts}.{body}`."""
    signed = f"{delivery_id}.{seconds}.".encode() + body
    digest = hmac.new(_standard_key(secret), signed, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_seed(body: bytes, signature: str, secret: str) -> bool:
    """Whether `X-Webhook-Signature` is the body's signature with this secret."""
    expected = seed_signature(body, secret).encode()
    return hmac.compare_digest(expected, signature.strip().lower().encode())


def verify_standard(
    body: bytes,
    headers: Mapping[str, str],
    secrets: Sequence[str],
    now: datetime,
    tolerance_s: int = TOLERANCE_S,
) -> bool:
    """Whether any `v1,` signature is the delivery's with one of the secrets, sent within
    `tolerance_s` of `now` (either side: a stale delivery may be a replay)."""
    named = {name.lower(): value for name, value in headers.items()}
    delivery_id = named.get(WEBHOOK_ID)
    sent = named.get(WEBHOOK_TIMESTAMP, "")
    if not delivery_id or not sent.isascii() or not sent.isdigit():
        return False
    seconds = int(sent)
    if abs(now.timestamp() - seconds) > tolerance_s:
        return False
    offered = [
        entry.removeprefix("v1,").encode()
        for entry in named.get(WEBHOOK_SIGNATURE, "").split()
        if entry.startswith("v1,")
    ]
    expected = [standard_signature(body, delivery_id, seconds, s).encode() for s in secrets]
    return any(hmac.compare_digest(mine, theirs) for mine in expected for theirs in offered)


def _standard_key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise SecretError(f"a secret is {SECRET_PREFIX} followed by base64") from error
