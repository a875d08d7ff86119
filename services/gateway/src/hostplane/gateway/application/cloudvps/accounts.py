"""CloudVPS's accounts: register, sign in, refresh, sign out, the profile and the password.

Accounts are billing's (`RegisterAccount` and friends); the gateway keeps only the sessions'
refresh tokens. Access tokens live `CLOUDVPS_ACCESS_TTL_S` (15 minutes); a refresh token buys
the next pair once, and one used twice revokes its session. A logout revokes the session; a
new password revokes the user's other sessions. The platform's first admin (billing's
`ADMIN_EMAIL`, an mPanel operator of the default tenant) signs in here too, as `admin`.

Failed sign-ins are counted per account and per client address: past `SIGN_IN_FAILURES`, the
next attempt waits (429 with `Retry-After`), whether the password would be right or not.
"""

import asyncio
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from hostplane.contracts.billing import Role
from hostplane.contracts.commands.billing import (
    ChangeAccountPassword,
    RegisterAccount,
    UpdateAccountProfile,
)
from hostplane.contracts.secrets import SecretBox
from hostplane.gateway.application.cloudvps.ports import (
    AccountReads,
    AccountRow,
    RefreshTokens,
    SignInAttempts,
)
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import OperatorRow
from hostplane.gateway.application.mpanel.sessions import verify_password
from hostplane.gateway.domain.cloudvps.tokens import Caller, access_token, token_caller
from hostplane.gateway.domain.cloudvps.tokens import Role as CallerRole
from hostplane.gateway.domain.errors import Forbidden, TooManyAttempts, Unauthorized
from hostplane.gateway.domain.tokens import bearer
from hostplane.gateway.settings import Settings

REFUSED = "Invalid email or password"


@dataclass(frozen=True)
class Profile:
    """A signed-in user as CloudVPS shows them."""

    id: UUID
    email: str
    name: str
    role: str
    status: str
    created_at: datetime
    customer_id: UUID | None = None


@dataclass(frozen=True)
class SignedIn:
    token: str
    refresh_token: str
    expires_in: int
    user: Profile


def refresh_token_id(token: str) -> UUID:
    """Where a refresh token is kept: a digest, so the table holds no usable token."""
    return UUID(bytes=hashlib.sha256(token.encode()).digest()[:16])


def _account_profile(row: AccountRow) -> Profile:
    return Profile(
        row.id, row.email, row.name, row.role, row.status, row.created_at, row.customer_id
    )


def _admin_profile(row: OperatorRow) -> Profile:
    return Profile(row.id, row.email, row.name, "admin", row.status, row.created_at)


@dataclass(frozen=True)
class Accounts:
    settings: Settings
    accounts: AccountReads
    operators: BillingReads
    sessions: RefreshTokens
    attempts: SignInAttempts
    commands: PanelCommands
    box: SecretBox

    @property
    def tenant_id(self) -> UUID:
        return self.settings.platform_tenant_id

    async def register(self, name: str, email: str, password: str) -> SignedIn:
        """A new account (CONFLICT when its email is taken), signed in at once."""
        account_id = uuid4()
        command = RegisterAccount(
            tenant_id=self.tenant_id,
            account_id=account_id,
            email=email,
            name=name,
            password=self.box.seal(password),
        )
        job = await self.commands.billing(command)
        row = await self.commands.shown(
            job.id, lambda: self.accounts.account(self.tenant_id, account_id)
        )
        return await self._signed_in(
            Caller(row.id, "account", "user", uuid4()), _account_profile(row)
        )

    async def login(self, email: str, password: str, client: str) -> SignedIn:
        """Sign in; a wrong email or password is refused alike, a suspended account is 403."""
        keys = [f"account:{hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]}"]
        keys.append(f"ip:{client}")
        wait_s = await self.attempts.wait_s(keys)
        if wait_s > 0:
            raise TooManyAttempts("Too many failed sign-ins; try again later", wait_s)
        account = await self.accounts.account_by_email(self.tenant_id, email.strip())
        operator = None if account else await self._platform_admin(email)
        sealed = account.password if account else operator.password if operator else None
        hashed = self.box.open(sealed) if sealed else None
        if not await asyncio.to_thread(verify_password, hashed, password):
            await self.attempts.failed(keys)
            raise Unauthorized(REFUSED)
        if account is not None:
            if account.status != "active":
                raise Forbidden("This account is suspended")
            caller = Caller(account.id, "account", _role(account), uuid4())
            return await self._signed_in(caller, _account_profile(account))
        assert operator is not None
        return await self._signed_in(
            Caller(operator.id, "operator", "admin", uuid4()), _admin_profile(operator)
        )

    async def refresh(self, refresh_token: str) -> SignedIn:
        """The next pair of the session; a token used before revokes the session."""
        taken = await self.sessions.take(refresh_token_id(refresh_token))
        if taken is None:
            raise Unauthorized("Invalid or used refresh token")
        account = await self.accounts.account(self.tenant_id, taken.user_id)
        if account is not None:
            if account.status != "active":
                await self.sessions.revoke_session(taken.session_id)
                raise Unauthorized("This account is suspended")
            caller = Caller(account.id, "account", _role(account), taken.session_id)
            return await self._signed_in(caller, _account_profile(account))
        operator = await self.operators.operator(self.tenant_id, taken.user_id)
        if operator is None or not _is_admin(operator):
            raise Unauthorized("The user is no longer active")
        return await self._signed_in(
            Caller(operator.id, "operator", "admin", taken.session_id), _admin_profile(operator)
        )

    async def logout(self, caller: Caller) -> None:
        await self.sessions.revoke_session(caller.session_id)

    async def authenticate(self, authorization: str | None) -> Caller:
        """Who the bearer token names, if they may still act (a suspended account may not)."""
        caller = token_caller(self.settings.jwt_secret, bearer(authorization), time.time())
        profile = await self.profile(caller)
        if profile.status != "active":
            raise Unauthorized("This account is suspended")
        return caller

    async def profile(self, caller: Caller) -> Profile:
        if caller.kind == "account":
            row = await self.accounts.account(self.tenant_id, caller.user_id)
            if row is None:
                raise Unauthorized("The account no longer exists")
            return _account_profile(row)
        operator = await self.operators.operator(self.tenant_id, caller.user_id)
        if operator is None or not _is_admin(operator):
            raise Unauthorized("The user is no longer an admin")
        return _admin_profile(operator)

    async def update_profile(self, caller: Caller, name: str | None, email: str | None) -> Profile:
        """A new name or email (CONFLICT when the email is another account's)."""
        if caller.kind != "account":
            raise Forbidden("The platform's admin is managed in mPanel")
        command = UpdateAccountProfile(
            tenant_id=self.tenant_id,
            account_id=caller.user_id,
            actor_id=caller.user_id,
            name=name,
            email=email,
        )
        job = await self.commands.billing(command)

        def updated(row: AccountRow) -> bool:
            return (name is None or row.name == name) and (
                email is None or row.email.lower() == email.strip().lower()
            )

        row = await self.commands.shown(
            job.id, lambda: self.accounts.account(self.tenant_id, caller.user_id), updated
        )
        return _account_profile(row)

    async def change_password(self, caller: Caller, current: str, new: str) -> None:
        """A new password, given the current one; the user's other sessions are revoked."""
        if caller.kind != "account":
            raise Forbidden("The platform's admin is managed in mPanel")
        row = await self.accounts.account(self.tenant_id, caller.user_id)
        hashed = self.box.open(row.password) if row and row.password else None
        if row is None or not await asyncio.to_thread(verify_password, hashed, current):
            raise Unauthorized("The current password is not right")
        command = ChangeAccountPassword(
            tenant_id=self.tenant_id,
            account_id=caller.user_id,
            actor_id=caller.user_id,
            password=self.box.seal(new),
        )
        job = await self.commands.billing(command)
        before = row.password_changed_at
        await self.commands.shown(
            job.id,
            lambda: self.accounts.account(self.tenant_id, caller.user_id),
            lambda changed: changed.password_changed_at != before,
        )
        await self.sessions.revoke_user(caller.user_id, keep=caller.session_id)

    async def _platform_admin(self, email: str) -> OperatorRow | None:
        operator = await self.operators.operator_by_email(email.strip())
        if operator is None or operator.tenant_id != self.tenant_id or not _is_admin(operator):
            return None
        return operator if operator.status == "active" else None

    async def _signed_in(self, caller: Caller, profile: Profile) -> SignedIn:
        settings, refresh = self.settings, secrets.token_urlsafe(32)
        await self.sessions.issue(
            refresh_token_id(refresh),
            caller.session_id,
            caller.user_id,
            settings.cloudvps_refresh_ttl_s,
        )
        ttl_s = settings.cloudvps_access_ttl_s
        token = access_token(settings.jwt_secret, caller, ttl_s, time.time())
        return SignedIn(token, refresh, ttl_s, profile)


def _role(account: AccountRow) -> CallerRole:
    return "admin" if account.role == "admin" else "user"


def _is_admin(operator: OperatorRow) -> bool:
    return Role.ADMIN.value in operator.roles
