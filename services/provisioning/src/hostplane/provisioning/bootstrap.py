"""Wiring: settings → providers → application. Tests wire fakes the same way."""

from collections.abc import Mapping

from hostplane.contracts.secrets import SecretBox
from hostplane.messaging.eventstore import create_event_store, event_store_env
from hostplane.provisioning.adapters.hetzner import HetznerProvider
from hostplane.provisioning.adapters.hetzner_network import HetznerNetwork
from hostplane.provisioning.adapters.network import NetworkProvider
from hostplane.provisioning.adapters.provider import ServerProvider
from hostplane.provisioning.adapters.proxmox import ProxmoxProvider
from hostplane.provisioning.adapters.proxmox_api import ProxmoxApi
from hostplane.provisioning.adapters.proxmox_network import ProxmoxNetwork
from hostplane.provisioning.application import Provisioning
from hostplane.provisioning.application.network import Networking
from hostplane.provisioning.settings import Settings

SCHEMA = "provisioning"


def providers_from(settings: Settings) -> dict[str, ServerProvider]:
    """An adapter for every provider the configured regions use."""
    used = settings.providers_in_use()
    providers: dict[str, ServerProvider] = {}
    if "hetzner" in used:
        providers["hetzner"] = HetznerProvider(
            token=settings.hetzner_api_token,
            endpoint=settings.hetzner_api_endpoint,
            poll_interval_s=settings.provider_poll_interval_s,
            timeout_s=settings.provider_timeout_s,
            budget=settings.hetzner_budget(),
        )
    if "proxmox" in used:
        providers["proxmox"] = ProxmoxProvider(
            api_url=settings.proxmox_api_url,
            token_id=settings.proxmox_token_id,
            token_secret=settings.proxmox_token_secret,
            verify_tls=settings.proxmox_verify_tls,
            poll_interval_s=settings.provider_poll_interval_s,
            timeout_s=settings.provider_timeout_s,
            seed_storage=settings.proxmox_seed_storage,
        )
    return providers


def bootstrap(
    settings: Settings,
    providers: Mapping[str, ServerProvider] | None = None,
    networking: Networking | None = None,
) -> Provisioning:
    """The provisioning application on its own PostgreSQL schema (or in memory)."""
    return Provisioning(
        env=event_store_env(settings, SCHEMA),
        providers=providers_from(settings) if providers is None else providers,
        catalog=settings,
        ready_url=settings.ready_url,
        instance_token_secret=settings.instance_token_secret,
        secrets=SecretBox(settings.config_secrets_key) if settings.config_secrets_key else None,
        networking=networking_from(settings) if networking is None else networking,
    )


def networking_from(settings: Settings) -> Networking:
    """A network adapter for every provider the configured regions use."""
    used = settings.providers_in_use()
    providers: dict[str, NetworkProvider] = {}
    if "hetzner" in used:
        providers["hetzner"] = HetznerNetwork(
            token=settings.hetzner_api_token,
            endpoint=settings.hetzner_api_endpoint,
            timeout_s=settings.provider_timeout_s,
            budget=settings.hetzner_budget(),
        )
    if "proxmox" in used:
        providers["proxmox"] = ProxmoxNetwork(
            ProxmoxApi(
                settings.proxmox_api_url.rstrip("/"),
                settings.proxmox_token_id,
                settings.proxmox_token_secret,
                settings.proxmox_verify_tls,
                settings.provider_timeout_s,
                settings.provider_poll_interval_s,
                settings.provider_timeout_s,
            )
        )
    return Networking(providers, settings.proxmox_ip_pool, settings.addresses_per_vps)


def create_schema(database_url: str) -> None:
    """Create the provisioning schema and its event store's tables
    (`python -m hostplane.schema`)."""
    create_event_store(database_url, SCHEMA)
