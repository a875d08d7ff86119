"""The DNS use cases: keep an instance's A record in step with its server."""

import logging
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from hostplane.dns.adapters.provider import DnsProvider
from hostplane.dns.domain.record import Record
from hostplane.messaging.eventstore import Position, TrackedApplication
from hostplane.providers.errors import ProviderError

log = logging.getLogger(__name__)


class Dns(TrackedApplication):
    name = "dns"

    def __init__(self, env: dict[str, str], provider: DnsProvider, domain: str) -> None:
        super().__init__(env)
        self.provider = provider
        self.domain = domain

    def fqdn(self, subdomain: str) -> str:
        return f"{subdomain}.{self.domain}"

    def point_at_server(
        self, instance_id: UUID, subdomain: str, ip_address: str, position: Position | None
    ) -> None:
        """Create `<subdomain>.<domain> A <ip>` for a new server, or record why it failed."""
        if self._find_record(instance_id) is not None:
            self.save_tracked(position=position)
            return
        name = self.fqdn(subdomain)
        outcome: dict[str, str | None] = {"error_code": None, "error_message": None}
        try:
            outcome["provider_record_id"] = self.provider.ensure_record(name, "A", ip_address)
        except ProviderError as error:
            log.warning("instance %s: DNS record failed for good: %s", instance_id, error.message)
            outcome = {
                "provider_record_id": None,
                "error_code": "DNS_FAILED",
                "error_message": f"{error.code}: {error.message}",
            }
        record = Record(
            instance_id=instance_id,
            name=name,
            record_type="A",
            content=ip_address,
            provider=self.provider.name,
            **outcome,
        )
        self.save_tracked(record, position=position)

    def remove_for(self, instance_id: UUID, position: Position | None) -> None:
        """The instance is gone or rolled back: make sure its record is too."""
        record = self._find_record(instance_id)
        if record is None or record.deleted:
            self.save_tracked(position=position)
            return
        if record.provider != self.provider.name:
            # A zone moved to another host keeps its names: the record is removed by name
            # and type wherever the zone is now served.
            log.info(
                "instance %s: record %s was made at %s, removing it at %s",
                instance_id,
                record.name,
                record.provider,
                self.provider.name,
            )
        self.provider.ensure_absent(record.name, record.record_type)
        record.delete()
        self.save_tracked(record, position=position)

    def _find_record(self, instance_id: UUID) -> Record | None:
        try:
            record: Record = self.repository.get(Record.create_id(instance_id))
        except AggregateNotFoundError:
            return None
        return record
