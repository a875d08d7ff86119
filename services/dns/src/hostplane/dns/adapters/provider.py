"""The `DnsProvider` port: what the dns service asks of a DNS host.

Cloudflare (`cloudflare.py`) and PowerDNS Authoritative (`powerdns.py`) implement it; which
one is used is a setting (`DNS_PROVIDER`). Both calls are safe to repeat: a record is looked
up by name and type before it is created, and deleting is "make sure it is gone". Failures
for good raise `hostplane.providers.errors.ProviderError`; transient ones are retried inside.
"""

from typing import Literal, Protocol

DnsProviderName = Literal["cloudflare", "powerdns"]


class DnsProvider(Protocol):
    @property
    def name(self) -> DnsProviderName: ...

    def ensure_record(self, name: str, record_type: str, content: str) -> str:
        """The id of the record `name` → `content`, created (or corrected) if needed."""
        ...

    def ensure_absent(self, name: str, record_type: str) -> list[str]:
        """Delete every `name` record of `record_type`; returns the ids that were deleted."""
        ...

    def close(self) -> None: ...
