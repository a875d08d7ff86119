"""CloudVPS's access tokens: HS256 JWTs for the audience `cloudvps`, short-lived.

A token names its user (`sub`), whether that is a customer's account or the platform's
operator (`kind`), the role (`user` or `admin`) and the session it belongs to (`sid`): the
session's refresh tokens are kept by the gateway, and a logout or a password change revokes
them. Neither seed 000's tokens (no audience) nor mPanel's (`mpanel`) are accepted here.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import jwt

from hostplane.gateway.domain.errors import Unauthorized
from hostplane.gateway.domain.tokens import audience_claims

AUDIENCE = "cloudvps"
REQUIRED = ("exp", "iat", "sub", "aud", "sid", "kind", "role")
Kind = Literal["account", "operator"]
Role = Literal["user", "admin"]


@dataclass(frozen=True)
class Caller:
    """Who signed in: a customer's account, or the platform's admin (an operator)."""

    user_id: UUID
    kind: Kind
    role: Role
    session_id: UUID

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def access_token(secret: str, caller: Caller, ttl_s: int, now: float) -> str:
    issued = int(now)
    claims = {
        "sub": str(caller.user_id),
        "kind": caller.kind,
        "role": caller.role,
        "sid": str(caller.session_id),
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def _claims(secret: str, token: str) -> Mapping[str, Any] | None:
    return audience_claims(secret, token, AUDIENCE, REQUIRED)


def token_caller(secret: str, token: str, now: float) -> Caller:
    """Who a token names; UNAUTHORIZED when forged, expired or of another audience."""
    claims = _claims(secret, token)
    if claims is None:
        raise Unauthorized("Invalid token")
    if claims["exp"] <= now:
        raise Unauthorized("Token expired")
    if claims["kind"] not in ("account", "operator") or claims["role"] not in ("user", "admin"):
        raise Unauthorized("Invalid token")
    try:
        return Caller(UUID(claims["sub"]), claims["kind"], claims["role"], UUID(claims["sid"]))
    except (ValueError, TypeError, AttributeError) as error:
        raise Unauthorized("Invalid token") from error


def token_subject(secret: str, token: str) -> str | None:
    """Whom a well-signed CloudVPS token names (its rate-limit bucket), or None."""
    claims = _claims(secret, token)
    return str(claims["sub"]) if claims else None
