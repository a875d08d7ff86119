"""What CloudVPS's use cases need from outside: billing's accounts as the read models show
them, the sessions' refresh tokens, and a count of failed sign-ins."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from hostplane.contracts.secrets import SealedSecret


@dataclass(frozen=True)
class AccountRow:
    id: UUID
    tenant_id: UUID
    customer_id: UUID
    email: str
    name: str
    role: str
    status: str
    password: SealedSecret | None  # the argon2 hash, sealed
    password_changed_at: datetime | None
    created_at: datetime


class AccountReads(Protocol):
    async def account(self, tenant_id: UUID, account_id: UUID) -> AccountRow | None: ...

    async def account_by_email(self, tenant_id: UUID, email: str) -> AccountRow | None: ...


@dataclass(frozen=True)
class Refreshed:
    """A refresh token taken once: the session and user it belongs to."""

    session_id: UUID
    user_id: UUID


class RefreshTokens(Protocol):
    """Refresh tokens kept by id; each is good once, a session's are revoked together."""

    async def issue(self, token_id: UUID, session_id: UUID, user_id: UUID, ttl_s: int) -> None: ...

    async def take(self, token_id: UUID) -> Refreshed | None:
        """The token's session if it is good (then it is used up); a token used before
        revokes its whole session (it was stolen or replayed) and is None, as is an
        expired, revoked or unknown one."""
        ...

    async def revoke_session(self, session_id: UUID) -> None: ...

    async def revoke_user(self, user_id: UUID, keep: UUID | None = None) -> None:
        """Every session of the user's but `keep`."""
        ...


class SignInAttempts(Protocol):
    """Failed sign-ins, per account and per client address, across the gateway's replicas."""

    async def wait_s(self, keys: list[str]) -> float:
        """How long until the next attempt for these keys may be tried (0: now)."""
        ...

    async def failed(self, keys: list[str]) -> None: ...
