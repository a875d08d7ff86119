"""Tenants (hosting brands), their operators, and the WHMCS clients signing in by SSO."""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.identity import operator_id_for, tenant_id_for, user_id_for


class Tenant(Aggregate):
    @staticmethod
    def create_id(name: str, **_: Any) -> UUID:
        return tenant_id_for(name)

    @event("Created")
    def __init__(self, *, name: str, status: str, actor_id: UUID | None) -> None:
        self.name = name
        self.status = status


class Operator(Aggregate):
    """A user of mPanel: an operator of one tenant, with roles and a password.

    `password` is the argon2 hash sealed for the gateway (which checks logins); the clear
    password never reaches an event.
    """

    @staticmethod
    def create_id(email: str, **_: Any) -> UUID:
        return operator_id_for(email)

    @event("Created")
    def __init__(
        self,
        *,
        email: str,
        tenant_id: UUID,
        name: str,
        roles: list[str],
        status: str,
        password: dict[str, str],
        actor_id: UUID | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.name = name
        self.email = email
        self.roles = roles
        self.status = status
        self.password = password
        self.deleted = False

    def update(self, actor_id: UUID | None, **changes: Any) -> None:
        """Change what `changes` names (name, email, roles, status, password)."""
        known = {k: v for k, v in changes.items() if v is not None}
        if known:
            self._updated(changes=known, actor_id=actor_id)

    @event("Updated")
    def _updated(self, changes: dict[str, Any], actor_id: UUID | None) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def delete(self, actor_id: UUID | None) -> None:
        if not self.deleted:
            self._deleted(actor_id=actor_id)

    @event("Deleted")
    def _deleted(self, actor_id: UUID | None) -> None:
        self.deleted = True
        self.status = "deleted"


class ClientUser(Aggregate):
    """A WHMCS client's dashboard account (OpenClaw's SSO), created on first sight."""

    @staticmethod
    def create_id(whmcs_client_id: int, **_: Any) -> UUID:
        return user_id_for(whmcs_client_id)

    @event("Registered")
    def __init__(self, *, whmcs_client_id: int, email: str) -> None:
        self.whmcs_client_id = whmcs_client_id
        self.email = email

    def log_in(self, email: str) -> None:
        """The client signed in through WHMCS again (its email there may have changed)."""
        self._logged_in(email=email, whmcs_client_id=self.whmcs_client_id)

    @event("LoggedIn")
    def _logged_in(self, email: str, whmcs_client_id: int) -> None:
        self.email = email
