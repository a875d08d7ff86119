"""HMAC signatures WHMCS and its links carry, and the rules that accept them.

Every comparison is in constant time. Whether a signature was used before is not decided
here (that needs a shared store): `WhmcsRequest.replay_key` names what must be seen once.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

from hostplane.contracts.openclaw.sso import SsoPayload, SsoRequest
from hostplane.gateway.domain.errors import Unauthorized


def _hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.lower().encode())


def within(timestamp: str | int, window_s: int, now: float) -> bool:
    """Whether a unix timestamp (decimal text) is at most `window_s` away from `now`."""
    text = str(timestamp)
    return text.isdigit() and abs(now - int(text)) <= window_s


def whmcs_signature(secret: str, body: bytes, timestamp: str) -> str:
    """Lowercase hex HMAC-SHA256 over the raw body followed by the timestamp's decimal text."""
    return _hmac(secret, body + timestamp.encode())


@dataclass(frozen=True)
class WhmcsRequest:
    """What a WHMCS call carries: its three headers, and what they sign."""

    method: str
    path: str
    body: bytes
    api_key: str | None
    timestamp: str | None
    signature: str | None

    @property
    def signed(self) -> bool:
        """Whether it carries any WHMCS header at all (a dashboard call carries none)."""
        return bool(self.api_key or self.timestamp or self.signature)

    def verify(self, api_key: str, secret: str, window_s: int, now: float) -> str:
        """Check key, freshness and signature; returns the key under which it is used once."""
        if not (self.api_key and self.timestamp and self.signature):
            raise Unauthorized("Missing X-API-Key, X-Timestamp or X-Signature")
        if not hmac.compare_digest(self.api_key.encode(), api_key.encode()):
            raise Unauthorized("Invalid API key")
        if not within(self.timestamp, window_s, now):
            raise Unauthorized("Timestamp outside the allowed window")
        expected = whmcs_signature(secret, self.body, self.timestamp)
        if not _same(expected, self.signature):
            raise Unauthorized("Invalid signature")
        # Bound to method and path too, so one signed body cannot be replayed against another
        # endpoint.
        replay = f"{self.method} {self.path} {expected}".encode()
        return "whmcs:" + hashlib.sha256(replay).hexdigest()


def sso_signature(secret: str, client_id: int, service_id: int, email: str, ts: int) -> str:
    """The body signature WHMCS sends to `POST /api/auth/sso`."""
    return _hmac(secret, f"{client_id}:{service_id}:{email}:{ts}".encode())


def verify_sso(request: SsoRequest, secret: str, window_s: int, now: float) -> None:
    """Accept a sign-on request whose body is signed by WHMCS and fresh; 401 otherwise."""
    expected = sso_signature(
        secret, request.client_id, request.service_id, str(request.email), request.timestamp
    )
    if not _same(expected, request.signature):
        raise Unauthorized("Invalid SSO signature")
    if not within(request.timestamp, window_s, now):
        raise Unauthorized("SSO timestamp outside the allowed window")


def link_token(secret: str, payload: SsoPayload, ts: int) -> str:
    """`base64url(json payload)` + "." + hex HMAC of that text followed by `ts`."""
    encoded = base64.urlsafe_b64encode(payload.model_dump_json().encode()).decode().rstrip("=")
    return f"{encoded}.{_hmac(secret, (encoded + str(ts)).encode())}"


@dataclass(frozen=True)
class SsoLink:
    payload: SsoPayload
    replay_key: str  # a link is followed once


def read_link(token: str, ts: int, secret: str, window_s: int, now: float) -> SsoLink:
    """The payload of a one-time link signed by us and still fresh; 401 otherwise."""
    encoded, _, signature = token.partition(".")
    if not signature or not _same(_hmac(secret, (encoded + str(ts)).encode()), signature):
        raise Unauthorized("Invalid SSO link")
    if not within(ts, window_s, now):
        raise Unauthorized("SSO link expired")
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        payload = SsoPayload.model_validate_json(base64.urlsafe_b64decode(padded))
    except ValueError as error:
        raise Unauthorized("Invalid SSO link") from error
    return SsoLink(payload, f"sso:{signature.lower()}")
