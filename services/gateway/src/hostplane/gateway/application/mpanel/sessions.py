"""Operators sign in with email and password, and carry audience-bound JWTs after."""

import asyncio
import secrets
import time
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hostplane.contracts.billing import Role
from hostplane.contracts.secrets import SecretBox
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import OperatorRow
from hostplane.gateway.domain.errors import Unauthorized
from hostplane.gateway.domain.mpanel.access import Operator
from hostplane.gateway.domain.mpanel.tokens import operator_token, token_operator
from hostplane.gateway.domain.tokens import bearer
from hostplane.gateway.settings import Settings

# One message for an unknown email, a wrong password and a disabled operator alike.
REFUSED = "Invalid email or password"
HASHER = PasswordHasher()


@cache
def _decoy() -> str:
    """A hash to check unknown emails against, so they take as long as known ones."""
    return HASHER.hash(secrets.token_hex(16))


def verify_password(hashed: str | None, password: str) -> bool:
    """argon2 verification (CPU-heavy: run it in a thread)."""
    try:
        HASHER.verify(hashed or _decoy(), password)
    except (VerificationError, InvalidHashError):
        return False
    return hashed is not None


def operator_of(row: OperatorRow) -> Operator:
    return Operator(row.id, row.tenant_id, frozenset(Role(role) for role in row.roles))


@dataclass(frozen=True)
class SignedIn:
    token: str
    refresh_token: str
    operator: OperatorRow


@dataclass(frozen=True)
class Sessions:
    settings: Settings
    reads: BillingReads
    box: SecretBox

    async def login(self, email: str, password: str) -> SignedIn:
        """Sign an operator in; a wrong email or password, or a disabled operator, is
        refused with the same answer."""
        row = await self.reads.operator_by_email(email.strip())
        hashed = self.box.open(row.password) if row and row.password else None
        if not await asyncio.to_thread(verify_password, hashed, password):
            raise Unauthorized(REFUSED)
        if row is None or row.status != "active":
            raise Unauthorized(REFUSED)
        operator, now, settings = operator_of(row), time.time(), self.settings
        return SignedIn(
            token=self._access(operator, now),
            refresh_token=operator_token(
                settings.jwt_secret, operator, "refresh", settings.mpanel_refresh_ttl_s, now
            ),
            operator=row,
        )

    async def refresh(self, refresh_token: str) -> str:
        """A new access token, with the operator's roles as they are now; an operator since
        disabled or deleted is refused."""
        now = time.time()
        claimed = token_operator(self.settings.jwt_secret, refresh_token, "refresh", now)
        row = await self.reads.operator(claimed.tenant_id, claimed.user_id)
        if row is None or row.status != "active":
            raise Unauthorized("The operator is no longer active")
        return self._access(operator_of(row), now)

    def authenticate(self, authorization: str | None) -> Operator:
        """The operator an `Authorization: Bearer <access token>` names."""
        token = bearer(authorization)
        return token_operator(self.settings.jwt_secret, token, "access", time.time())

    async def me(self, operator: Operator) -> OperatorRow:
        """The signed-in operator as the read models know it."""
        row = await self.reads.operator(operator.tenant_id, operator.user_id)
        if row is None:
            raise Unauthorized("The operator no longer exists")
        return row

    def _access(self, operator: Operator, now: float) -> str:
        ttl_s = self.settings.mpanel_access_ttl_s
        return operator_token(self.settings.jwt_secret, operator, "access", ttl_s, now)
