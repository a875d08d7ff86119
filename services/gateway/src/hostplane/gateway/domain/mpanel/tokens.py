"""mPanel's tokens: HS256 JWTs for the audience `mpanel`, access or refresh.

Seed 000's dashboard tokens carry no audience and mPanel's always do, so neither surface
accepts the other's: PyJWT refuses a token with an `aud` when none is expected, and this
module requires `aud` to be `mpanel`.
"""

from collections.abc import Mapping
from typing import Any, Literal
from uuid import UUID

import jwt

from hostplane.contracts.billing import Role
from hostplane.gateway.domain.errors import Unauthorized
from hostplane.gateway.domain.mpanel.access import Operator
from hostplane.gateway.domain.tokens import audience_claims

AUDIENCE = "mpanel"
TokenType = Literal["access", "refresh"]
REQUIRED = ("exp", "iat", "sub", "aud", "typ", "tenant_id", "roles")


def operator_token(secret: str, operator: Operator, typ: TokenType, ttl_s: int, now: float) -> str:
    issued = int(now)
    claims = {
        "sub": str(operator.user_id),
        "tenant_id": str(operator.tenant_id),
        "roles": sorted(operator.roles),
        "typ": typ,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def _claims(secret: str, token: str) -> Mapping[str, Any] | None:
    return audience_claims(secret, token, AUDIENCE, REQUIRED)


def token_operator(secret: str, token: str, typ: TokenType, now: float) -> Operator:
    """The operator a token of type `typ` names; UNAUTHORIZED when forged, expired, of
    another audience or type."""
    claims = _claims(secret, token)
    if claims is None or claims["typ"] != typ:
        raise Unauthorized("Invalid token")
    if claims["exp"] <= now:
        raise Unauthorized("Token expired")
    try:
        roles = frozenset(Role(role) for role in claims["roles"])
        return Operator(UUID(claims["sub"]), UUID(claims["tenant_id"]), roles)
    except (ValueError, TypeError, AttributeError) as error:
        raise Unauthorized("Invalid token") from error


def token_subject(secret: str, token: str) -> str | None:
    """Whom a well-signed mPanel token names (its rate-limit bucket), or None."""
    claims = _claims(secret, token)
    return str(claims["sub"]) if claims else None
