"""Wiring: settings → Cloudflare → application."""

from hostplane.dns.adapters.cloudflare import CloudflareProvider
from hostplane.dns.application import Dns
from hostplane.dns.settings import Settings
from hostplane.messaging.eventstore import ensure_schema
from hostplane.providers.shared_budget import budget_for

SCHEMA = "dns"


def bootstrap(settings: Settings, provider: CloudflareProvider | None = None) -> Dns:
    """The DNS application on its own PostgreSQL schema."""
    ensure_schema(settings.database_url, SCHEMA)
    return Dns(
        env=settings.eventsourcing_env(SCHEMA),
        provider=provider
        or CloudflareProvider(
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
        ),
        domain=settings.cloudflare_domain,
    )
