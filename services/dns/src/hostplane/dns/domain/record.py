"""The Record aggregate: one DNS record Hostplane keeps for an instance.

Its creation event records the provider's answer (the record id, or why it failed for good),
so the record and its outcome are stored, and published, together. It names the provider
that holds the record ("cloudflare" for records stored before PowerDNS was offered).
"""

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hostplane.contracts.identity import HOSTPLANE_NAMESPACE


class Record(Aggregate):
    @staticmethod
    def create_id(instance_id: UUID, record_type: str = "A", **_: Any) -> UUID:
        return uuid5(HOSTPLANE_NAMESPACE, f"dns-record:{instance_id}:{record_type}")

    # Called with keywords, though not marked keyword-only: eventsourcing would then require
    # `provider`, which events stored before it do not carry.
    @event("Created")
    def __init__(
        self,
        instance_id: UUID,
        name: str,
        record_type: str,
        content: str,
        provider_record_id: str | None,
        error_code: str | None,
        error_message: str | None,
        provider: str = "cloudflare",
    ) -> None:
        self.instance_id = instance_id
        self.provider = provider
        self.name = name
        self.record_type = record_type
        self.content = content
        self.provider_record_id = provider_record_id
        self.error_code = error_code
        self.deleted = False

    @property
    def is_live(self) -> bool:
        return self.provider_record_id is not None and not self.deleted

    def delete(self) -> None:
        """The record is gone from the provider."""
        if not self.deleted:
            self._deleted(
                instance_id=self.instance_id,
                name=self.name,
                provider_record_id=self.provider_record_id,
            )

    @event("Deleted")
    def _deleted(self, instance_id: UUID, name: str, provider_record_id: str | None) -> None:
        self.deleted = True
