"""Who is calling, and which instances they may see."""

from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar
from uuid import UUID

from hostplane.contracts.identity import user_id_for
from hostplane.gateway.domain.errors import NotFound

Role = Literal["whmcs", "client", "admin"]


class Owned(Protocol):
    """An instance as far as access is concerned: its id and its WHMCS client."""

    @property
    def id(self) -> UUID: ...

    @property
    def whmcs_client_id(self) -> int: ...


Instance = TypeVar("Instance", bound=Owned)


@dataclass(frozen=True)
class Principal:
    role: Role
    user_id: UUID | None = None
    instance_id: UUID | None = None  # a token scoped to one instance

    def may_see(self, instance: Owned) -> bool:
        """WHMCS and admins see every instance; a client only its own (and its scope)."""
        if self.role != "client":
            return True
        if self.instance_id is not None and self.instance_id != instance.id:
            return False
        return user_id_for(instance.whmcs_client_id) == self.user_id


WHMCS = Principal(role="whmcs")


def visible(principal: Principal, instance: Instance | None) -> Instance:
    """The instance if the principal may see it; another customer's instance is not found."""
    if instance is None or not principal.may_see(instance):
        raise NotFound("Instance not found")
    return instance
