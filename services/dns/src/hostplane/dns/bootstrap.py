"""Wiring: settings → the DNS provider they choose → application. Tests wire fakes the same way."""

from collections.abc import Callable

from hostplane.dns.adapters.cloudflare import CloudflareProvider
from hostplane.dns.adapters.powerdns import PowerDnsProvider
from hostplane.dns.adapters.provider import DnsProvider, DnsProviderName
from hostplane.dns.application import Dns
from hostplane.dns.settings import Settings
from hostplane.messaging.eventstore import create_event_store, event_store_env
from hostplane.providers.shared_budget import budget_for

SCHEMA = "dns"


def _cloudflare(settings: Settings) -> DnsProvider:
    return CloudflareProvider(
        api_base=settings.cloudflare_api_base,
        token=settings.cloudflare_api_token,
        zone_id=settings.cloudflare_zone_id,
        timeout_s=settings.provider_timeout_s,
        budget=budget_for(
            settings.redis_url,
            "cloudflare",
            settings.cloudflare_api_base,
            settings.cloudflare_api_token,
            settings.cloudflare_pace,
        ),
    )


def _powerdns(settings: Settings) -> DnsProvider:
    pace = settings.powerdns_pace
    return PowerDnsProvider(
        api_url=settings.powerdns_api_url,
        api_key=settings.powerdns_api_key,
        zone=settings.domain,
        server_id=settings.powerdns_server_id,
        timeout_s=settings.provider_timeout_s,
        budget=None
        if pace is None
        else budget_for(
            settings.redis_url,
            "powerdns",
            settings.powerdns_api_url,
            settings.powerdns_api_key,
            pace,
        ),
    )


PROVIDERS: dict[DnsProviderName, Callable[[Settings], DnsProvider]] = {
    "cloudflare": _cloudflare,
    "powerdns": _powerdns,
}


def make_provider(settings: Settings) -> DnsProvider:
    """The DNS host `DNS_PROVIDER` names, paced to its account's budget."""
    return PROVIDERS[settings.dns_provider](settings)


def bootstrap(settings: Settings, provider: DnsProvider | None = None) -> Dns:
    """The DNS application on its own PostgreSQL schema, with `provider` or the configured one."""
    return Dns(
        env=event_store_env(settings, SCHEMA),
        provider=provider if provider is not None else make_provider(settings),
        domain=settings.domain,
    )


def create_schema(database_url: str) -> None:
    """Create the dns schema and its event store's tables (`python -m hostplane.schema`)."""
    create_event_store(database_url, SCHEMA)
