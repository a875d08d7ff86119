"""A subdomain claim: the lookup aggregate that keeps hostnames unique across instances."""

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.identity import HOSTPLANE_NAMESPACE


class SubdomainClaim(Aggregate):
    @staticmethod
    def create_id(subdomain: str, **_: Any) -> UUID:
        return uuid5(HOSTPLANE_NAMESPACE, f"subdomain:{subdomain}")

    @event("Claimed")
    def __init__(self, *, subdomain: str, instance_id: UUID) -> None:
        self.subdomain = subdomain
        self.instance_id = instance_id
