"""Wiring: settings → provider → application. Tests wire fakes the same way."""

from hostplane.messaging.eventstore import ensure_schema
from hostplane.provisioning.adapters.hetzner import HetznerProvider
from hostplane.provisioning.application import Provisioning
from hostplane.provisioning.settings import Settings

SCHEMA = "provisioning"


def bootstrap(settings: Settings, provider: HetznerProvider | None = None) -> Provisioning:
    """The provisioning application on its own PostgreSQL schema."""
    ensure_schema(settings.database_url, SCHEMA)
    return Provisioning(
        env=settings.eventsourcing_env(SCHEMA),
        provider=provider
        or HetznerProvider(
            token=settings.hetzner_api_token,
            endpoint=settings.hetzner_api_endpoint,
            poll_interval=settings.provider_poll_interval_s,
            timeout_s=settings.provider_timeout_s,
            budget=settings.hetzner_budget(),
        ),
        ready_url=settings.ready_url,
        instance_token_secret=settings.instance_token_secret,
    )
