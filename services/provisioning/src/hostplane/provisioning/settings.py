"""Provisioning settings, from the environment (seed 001's variable names)."""

from typing import ClassVar

from pydantic import model_validator

from hostplane.messaging.settings import HetznerProjectSettings

PLACEHOLDERS = {"", "changeme", "change-me", "dev-instance-token-secret"}


class Settings(HetznerProjectSettings):
    environment: str = "development"
    # Where a new server's cloud-init reports back (the gateway's public address).
    public_api_url: str = "http://127.0.0.1:8080"
    instance_token_secret: str = "dev-instance-token-secret"  # noqa: S105
    provider_poll_interval_s: float = 0.25
    provider_timeout_s: float = 30.0
    hetzner_share_alone: ClassVar[float] = 3000.0

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> "Settings":
        if self.environment != "development" and self.instance_token_secret in PLACEHOLDERS:
            raise ValueError("INSTANCE_TOKEN_SECRET must be set outside development")
        if not self.hetzner_api_token:
            raise ValueError("HETZNER_API_TOKEN is required")
        return self

    @property
    def ready_url(self) -> str:
        return self.public_api_url.rstrip("/") + "/api/instances/{instance_id}/ready"
