"""The User aggregate: a WHMCS client's dashboard account, created on first sight."""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.identity import user_id_for


class User(Aggregate):
    @staticmethod
    def create_id(whmcs_client_id: int, **_: Any) -> UUID:
        return user_id_for(whmcs_client_id)

    @event("Registered")
    def __init__(self, *, whmcs_client_id: int, email: str) -> None:
        self.whmcs_client_id = whmcs_client_id
        self.email = email

    def log_in(self, email: str) -> None:
        """The user signed in through WHMCS (its email there may have changed)."""
        self._logged_in(email=email, whmcs_client_id=self.whmcs_client_id)

    @event("LoggedIn")
    def _logged_in(self, email: str, whmcs_client_id: int) -> None:
        self.email = email
