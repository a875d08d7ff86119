"""Provisioning settings, from the environment (seed 001's variable names)."""

from typing import ClassVar

from pydantic import model_validator

from hostplane.contracts.catalog import Provider
from hostplane.messaging.settings import CatalogSettings
from hostplane.providers.settings import HetznerProjectSettings, ProxmoxSettings

PLACEHOLDERS = {"", "changeme", "change-me", "dev-instance-token-secret"}


class Settings(HetznerProjectSettings, ProxmoxSettings, CatalogSettings):
    secret_settings: ClassVar[tuple[str, ...]] = ("instance_token_secret", "config_secrets_key")

    environment: str = "development"
    # Where a new server's cloud-init reports back (the gateway's public address).
    public_api_url: str = "http://127.0.0.1:8080"
    instance_token_secret: str = "dev-instance-token-secret"  # noqa: S105
    provider_poll_interval_s: float = 0.25
    provider_timeout_s: float = 30.0
    # How often the running servers' usage is sampled from their providers' metrics; 0 never.
    metrics_interval_s: float = 60.0
    # Seals console passwords for the gateway (Fernet, shared with it); none: no console.
    config_secrets_key: str = ""
    # The Proxmox cluster's routed addresses for additional IPs: networks and ranges,
    # comma-separated (`198.51.100.0/28,203.0.113.10-203.0.113.20`); empty: none to give.
    proxmox_ip_pool: str = ""
    # How many additional addresses one VPS may hold.
    addresses_per_vps: int = 4
    hetzner_share_alone: ClassVar[float] = 3600.0

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> "Settings":
        if self.environment != "development" and self.instance_token_secret in PLACEHOLDERS:
            raise ValueError("INSTANCE_TOKEN_SECRET must be set outside development")
        return self

    @model_validator(mode="after")
    def _require_used_providers(self) -> "Settings":
        """Every provider a region is placed at needs its account."""
        required = {
            "hetzner": {"HETZNER_API_TOKEN": self.hetzner_api_token},
            "proxmox": {
                "PROXMOX_API_URL": self.proxmox_api_url,
                "PROXMOX_TOKEN_ID": self.proxmox_token_id,
                "PROXMOX_TOKEN_SECRET": self.proxmox_token_secret,
            },
        }
        missing = [
            name
            for provider in sorted(self.providers_in_use())
            for name, value in required[provider].items()
            if not value
        ]
        if missing:
            raise ValueError(f"{', '.join(missing)} must be set for the configured REGIONS")
        return self

    def providers_in_use(self) -> set[Provider]:
        return {region.provider for region in self.regions.values()}

    @property
    def ready_url(self) -> str:
        return self.public_api_url.rstrip("/") + "/api/instances/{instance_id}/ready"
