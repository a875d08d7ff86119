"""Bearer tokens: dashboard sessions (HS256 JWTs) and instance tokens."""

import hmac
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from uuid import UUID

import jwt

from hostplane.contracts.identity import instance_token
from hostplane.gateway.domain.access import Principal
from hostplane.gateway.domain.errors import Unauthorized


def bearer(authorization: str | None) -> str:
    """The token of an `Authorization` header's value; 401 unless it is a bearer token."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Missing bearer token")
    return token.strip()


@lru_cache(maxsize=16_384)
def verified_claims(secret: str, token: str) -> Mapping[str, Any] | None:
    """The claims of a token whose signature is good and that has `exp` and `sub`, or None.

    A dashboard sends the same token with every request, so each is verified once; its
    expiry and `nbf` are not part of the cached answer and are checked on every use.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"require": ["exp", "sub"], "verify_exp": False, "verify_nbf": False},
        )
    except jwt.InvalidTokenError:
        return None
    if not all(isinstance(claims.get(name, 0), int | float) for name in ("exp", "nbf")):
        return None
    return MappingProxyType(claims)


@lru_cache(maxsize=16_384)
def audience_claims(
    secret: str, token: str, audience: str, required: tuple[str, ...]
) -> Mapping[str, Any] | None:
    """The claims of a well-signed token for `audience` that has every `required` claim, or
    None. A surface sends one token with every request, so each is verified once; its expiry
    is not part of the cached answer and is checked on every use."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=audience,
            options={"require": list(required), "verify_exp": False},
        )
    except jwt.InvalidTokenError:
        return None
    return MappingProxyType(claims) if isinstance(claims["exp"], int | float) else None


def session_principal(secret: str, token: str, now: float) -> Principal:
    """A dashboard principal from an HS256 JWT; 401 when expired, malformed or forged."""
    claims = verified_claims(secret, token)
    if claims is None or claims.get("nbf", 0) > now:
        raise Unauthorized("Invalid token")
    if claims["exp"] <= now:
        raise Unauthorized("Token expired")
    role = claims.get("role")
    if role not in ("client", "admin"):
        raise Unauthorized("Token role must be client or admin")
    try:
        scope = claims.get("instance_id")
        # A client is a WHMCS client's user (a UUID); an admin's subject may be any name.
        user_id = UUID(str(claims["sub"])) if role == "client" else None
        return Principal(role=role, user_id=user_id, instance_id=UUID(scope) if scope else None)
    except (ValueError, TypeError, AttributeError) as error:
        raise Unauthorized("Invalid token") from error


def session_token(secret: str, user_id: UUID, ttl_s: int, now: float) -> str:
    """A client's dashboard session."""
    issued = int(now)
    claims = {"sub": str(user_id), "role": "client", "iat": issued, "exp": issued + ttl_s}
    return jwt.encode(claims, secret, algorithm="HS256")


def instance_token_valid(secret: str, instance_id: UUID, token: str) -> bool:
    """Whether `token` is the one the instance got in its user data."""
    return hmac.compare_digest(instance_token(secret, instance_id).encode(), token.encode())
