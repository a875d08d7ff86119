"""Who may call: WHMCS by HMAC signature, an instance by its callback token."""

import hashlib
import hmac
import time
from typing import Annotated

from fastapi import Depends, Header, Request

from hostplane.contracts.openclaw import ErrorCode
from hostplane.gateway.errors import ApiError, unauthorized
from hostplane.gateway.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def raw_body(request: Request, settings: SettingsDep) -> bytes:
    """The request body, refused past the size limit before it is read whole."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
        raise ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, "Request body too large")
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        raise ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, "Request body too large")
    return body


RawBody = Annotated[bytes, Depends(raw_body)]


def whmcs_signature(secret: str, body: bytes, timestamp: str) -> str:
    """Lowercase hex HMAC-SHA256 over the raw body followed by the timestamp's decimal text."""
    return hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


async def require_whmcs(
    settings: SettingsDep,
    body: RawBody,
    x_api_key: Annotated[str | None, Header()] = None,
    x_timestamp: Annotated[str | None, Header()] = None,
    x_signature: Annotated[str | None, Header()] = None,
) -> bytes:
    """Accept a WHMCS call signed within the time window; returns the verified body."""
    if not (x_api_key and x_timestamp and x_signature):
        raise unauthorized("Missing X-API-Key, X-Timestamp or X-Signature")
    if not hmac.compare_digest(x_api_key.encode(), settings.whmcs_api_key.encode()):
        raise unauthorized("Invalid API key")
    if not x_timestamp.isdigit() or abs(time.time() - int(x_timestamp)) > (
        settings.signature_window_s
    ):
        raise unauthorized("Timestamp outside the allowed window")
    expected = whmcs_signature(settings.whmcs_hmac_secret, body, x_timestamp)
    if not hmac.compare_digest(expected.encode(), x_signature.lower().encode()):
        raise unauthorized("Invalid signature")
    return body


WhmcsBody = Annotated[bytes, Depends(require_whmcs)]


def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str:
    """The token of an `Authorization: Bearer …` header."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("Missing bearer token")
    return token.strip()


BearerToken = Annotated[str, Depends(bearer_token)]


def token_matches(token: str, expected_sha256: str) -> bool:
    """Constant-time check of an instance token against its stored hash."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return hmac.compare_digest(digest, expected_sha256)
