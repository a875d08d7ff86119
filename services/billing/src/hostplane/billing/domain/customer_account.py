"""CloudVPS accounts: the customers who sign in to `/api/v1`, and the claims on their emails.

An account signs in by its email, which no other account of its tenant may hold, whatever its
case. An `EmailClaim` (its id derived from the tenant and the email) is saved with the account
that takes it: of two registrations of one email, the second save finds the claim's version
taken and loses. A claim released by an email change can be taken again.
"""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.identity import HOSTPLANE_NAMESPACE

CUSTOMER_ROLE = "user"


def email_key(email: str) -> str:
    """What makes two emails one: case and surrounding blanks do not count."""
    return email.strip().lower()


def account_customer_id(account_id: UUID) -> UUID:
    """The customer who pays for an account's services."""
    return uuid5(HOSTPLANE_NAMESPACE, f"account-customer:{account_id}")


class Account(Aggregate):
    """`password` is the argon2 hash sealed for the gateway (which checks sign-ins); the clear
    password never reaches an event."""

    @staticmethod
    def create_id(account_id: UUID, **_: Any) -> UUID:
        return account_id

    @event("Registered")
    def __init__(
        self,
        *,
        account_id: UUID,
        tenant_id: UUID,
        email: str,
        name: str,
        password: dict[str, str],
        actor_id: UUID | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.customer_id = account_customer_id(account_id)
        self.email = email
        self.name = name
        self.role = CUSTOMER_ROLE
        self.status = "active"
        self.password = password
        self.password_changed_at: datetime | None = None

    def update_profile(
        self, actor_id: UUID | None, name: str | None = None, email: str | None = None
    ) -> dict[str, str]:
        """Change the name or the email, if given and new; returns what changed."""
        given = {"name": name, "email": email}
        changes = {k: v for k, v in given.items() if v is not None and v != getattr(self, k)}
        if changes:
            self._updated(changes=changes, actor_id=actor_id)
        return changes

    @event("Updated")
    def _updated(self, changes: dict[str, str], actor_id: UUID | None) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def change_password(
        self, password: dict[str, str], at: datetime, actor_id: UUID | None
    ) -> None:
        self._password_changed(password=password, at=at, actor_id=actor_id)

    @event("PasswordChanged")
    def _password_changed(
        self, password: dict[str, str], at: datetime, actor_id: UUID | None
    ) -> None:
        self.password = password
        self.password_changed_at = at

    def suspend(self, reason: str | None, actor_id: UUID | None) -> None:
        if self.status != "suspended":
            self._suspended(reason=reason, actor_id=actor_id)

    @event("Suspended")
    def _suspended(self, reason: str | None, actor_id: UUID | None) -> None:
        self.status = "suspended"

    def reactivate(self, reason: str | None, actor_id: UUID | None) -> None:
        if self.status != "active":
            self._reactivated(reason=reason, actor_id=actor_id)

    @event("Reactivated")
    def _reactivated(self, reason: str | None, actor_id: UUID | None) -> None:
        self.status = "active"


class EmailClaim(Aggregate):
    """Which account of a tenant holds an email (`account_id` None: nobody, since released)."""

    @staticmethod
    def create_id(tenant_id: UUID, email: str, **_: Any) -> UUID:
        return uuid5(HOSTPLANE_NAMESPACE, f"account-email:{tenant_id}:{email_key(email)}")

    @event("Claimed")
    def __init__(self, *, tenant_id: UUID, email: str, account_id: UUID) -> None:
        self.tenant_id = tenant_id
        self.email = email_key(email)
        self.account_id: UUID | None = account_id

    def held_by_another(self, account_id: UUID) -> bool:
        return self.account_id is not None and self.account_id != account_id

    def take(self, account_id: UUID) -> None:
        """Claim the email again for `account_id` (the caller checked nobody else holds it)."""
        if self.account_id != account_id:
            self._taken(account_id=account_id)

    @event("Taken")
    def _taken(self, account_id: UUID) -> None:
        self.account_id = account_id

    def release(self, account_id: UUID) -> None:
        """The account no longer signs in with this email."""
        if self.account_id == account_id:
            self._released(account_id=account_id)

    @event("Released")
    def _released(self, account_id: UUID) -> None:
        self.account_id = None
