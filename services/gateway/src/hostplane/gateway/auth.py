"""Who may call: WHMCS by HMAC signature, dashboards by JWT, an instance by its token."""

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Annotated, Any, Literal
from uuid import UUID

import jwt
from fastapi import Depends, Header, Request

from hostplane.contracts.identity import user_id_for
from hostplane.contracts.openclaw import ErrorCode
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.appstate import state
from hostplane.gateway.errors import ApiError, not_found, unauthorized
from hostplane.gateway.settings import Settings

Role = Literal["whmcs", "client", "admin"]


@dataclass(frozen=True)
class Principal:
    role: Role
    user_id: UUID | None = None
    instance_id: UUID | None = None  # a token scoped to one instance

    def may_see(self, instance: dict[str, Any]) -> bool:
        """WHMCS and admins see every instance; a client only its own (and its scope)."""
        if self.role != "client":
            return True
        if self.instance_id is not None and self.instance_id != instance["id"]:
            return False
        return user_id_for(instance["whmcs_client_id"]) == self.user_id


WHMCS = Principal(role="whmcs")


SettingsDep = Annotated[Settings, Depends(state("settings"))]
DatabaseDep = Annotated[Database, Depends(state("db"))]


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


def _within(settings: Settings, timestamp: str | int) -> bool:
    text = str(timestamp)
    return text.isdigit() and abs(time.time() - int(text)) <= settings.signature_window_s


async def verify_whmcs(request: Request, settings: Settings, db: Database, body: bytes) -> bool:
    """Whether the request carries a valid, fresh, first-seen WHMCS signature.

    False when it carries no WHMCS headers at all; 401 when it carries bad ones.
    """
    key = request.headers.get("x-api-key")
    timestamp = request.headers.get("x-timestamp")
    signature = request.headers.get("x-signature")
    if not (key or timestamp or signature):
        return False
    if not (key and timestamp and signature):
        raise unauthorized("Missing X-API-Key, X-Timestamp or X-Signature")
    if not hmac.compare_digest(key.encode(), settings.whmcs_api_key.encode()):
        raise unauthorized("Invalid API key")
    if not _within(settings, timestamp):
        raise unauthorized("Timestamp outside the allowed window")
    expected = whmcs_signature(settings.whmcs_hmac_secret, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
        raise unauthorized("Invalid signature")
    # The signature is bound to method and path too, so one signed body cannot be replayed
    # against another endpoint; each is accepted once within its window.
    digest = hashlib.sha256(f"{request.method} {request.url.path} {expected}".encode()).hexdigest()
    if not await db.first_use(f"whmcs:{digest}", 2 * settings.signature_window_s):
        raise unauthorized("Signature already used")
    return True


async def require_whmcs(
    request: Request, settings: SettingsDep, db: DatabaseDep, body: RawBody
) -> bytes:
    """Accept a WHMCS call signed within the time window, once; returns the verified body."""
    if not await verify_whmcs(request, settings, db, body):
        raise unauthorized("Missing X-API-Key, X-Timestamp or X-Signature")
    return body


WhmcsBody = Annotated[bytes, Depends(require_whmcs)]


async def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str:
    """The token of an `Authorization: Bearer …` header."""
    return bearer(authorization)


def bearer(authorization: str | None) -> str:
    """The token of an `Authorization` header's value; 401 unless it is a bearer token."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("Missing bearer token")
    return token.strip()


BearerToken = Annotated[str, Depends(bearer_token)]


def decode_jwt(settings: Settings, token: str) -> Principal:
    """A dashboard principal from an HS256 JWT; 401 when expired, malformed or forged."""
    claims = verified_claims(settings.jwt_secret, token)
    if claims is None:
        raise unauthorized("Invalid token")
    if claims["exp"] <= time.time():
        raise unauthorized("Token expired")
    role = claims.get("role")
    if role not in ("client", "admin"):
        raise unauthorized("Token role must be client or admin")
    try:
        scope = claims.get("instance_id")
        # A client is a WHMCS client's user (a UUID); an admin's subject may be any name.
        user_id = UUID(str(claims["sub"])) if role == "client" else None
        return Principal(role=role, user_id=user_id, instance_id=UUID(scope) if scope else None)
    except (ValueError, TypeError) as error:
        raise unauthorized("Invalid token") from error


@lru_cache(maxsize=16_384)
def verified_claims(secret: str, token: str) -> Mapping[str, Any] | None:
    """The claims of a token whose signature is good and that has `exp` and `sub`, or None.

    A dashboard sends the same token with every request, so each is verified once; its
    expiry is not part of the cached answer and is checked on every use.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"require": ["exp", "sub"], "verify_exp": False},
        )
    except jwt.InvalidTokenError:
        return None
    if not isinstance(claims["exp"], int | float) or claims.get("nbf", 0) > time.time():
        return None
    return MappingProxyType(claims)


def issue_jwt(settings: Settings, user_id: UUID, role: str, ttl_s: int) -> str:
    """A dashboard session token for a user."""
    now = int(time.time())
    claims = {"sub": str(user_id), "role": role, "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


async def require_user(settings: SettingsDep, token: BearerToken) -> Principal:
    """A dashboard user (client or admin) by JWT."""
    return decode_jwt(settings, token)


async def require_admin(principal: Annotated[Principal, Depends(require_user)]) -> Principal:
    """An admin by JWT; clients are refused with 403."""
    if principal.role != "admin":
        raise ApiError(403, ErrorCode.FORBIDDEN, "Admin role required")
    return principal


async def require_whmcs_or_user(
    request: Request, settings: SettingsDep, db: DatabaseDep, body: RawBody
) -> Principal:
    """WHMCS by signature, or a dashboard user by JWT."""
    if await verify_whmcs(request, settings, db, body):
        return WHMCS
    return decode_jwt(settings, bearer(request.headers.get("authorization")))


User = Annotated[Principal, Depends(require_user)]
Admin = Annotated[Principal, Depends(require_admin)]
WhmcsOrUser = Annotated[Principal, Depends(require_whmcs_or_user)]


def visible(principal: Principal, instance: dict[str, Any] | None) -> dict[str, Any]:
    """The instance if the principal may see it; another customer's instance is 404."""
    if instance is None or not principal.may_see(instance):
        raise not_found("Instance")
    return instance
