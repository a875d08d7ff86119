"""Provisioning settings, from the environment (seed 001's variable names)."""

from pydantic import Field, model_validator

from hostplane.messaging.provider_budget import HETZNER_PROJECT_PER_HOUR, Pace
from hostplane.messaging.settings import InfraSettings

PLACEHOLDERS = {"", "changeme", "change-me", "dev-instance-token-secret"}


class Settings(InfraSettings):
    environment: str = "development"
    hetzner_api_token: str = ""
    hetzner_api_endpoint: str = "https://api.hetzner.cloud/v1"
    # Where a new server's cloud-init reports back (the gateway's public address).
    public_api_url: str = "http://127.0.0.1:8080"
    instance_token_secret: str = "dev-instance-token-secret"  # noqa: S105
    provider_poll_interval_s: float = 0.25
    provider_timeout_s: float = 30.0
    # The Hetzner project's requests an hour to pace to; unset: see `hetzner_pace`.
    hetzner_requests_per_hour: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> "Settings":
        if self.environment != "development" and self.instance_token_secret in PLACEHOLDERS:
            raise ValueError("INSTANCE_TOKEN_SECRET must be set outside development")
        if not self.hetzner_api_token:
            raise ValueError("HETZNER_API_TOKEN is required")
        return self

    @property
    def hetzner_pace(self) -> Pace:
        """The Hetzner project's budget, so that its 3,600 requests an hour are never exceeded.

        With REDIS_URL, provisioning and metrics, every replica of both, take from one bucket
        per project refilled at HETZNER_REQUESTS_PER_HOUR: by default the project's limit,
        3,600 (give both services the same value). Without Redis each process has a bucket of
        its own, so the default is this service's share: 3,000 here, 600 for metrics.
        """
        per_hour = self.hetzner_requests_per_hour or (
            HETZNER_PROJECT_PER_HOUR if self.redis_url else 3000.0
        )
        return Pace.per_hour(per_hour)

    @property
    def ready_url(self) -> str:
        return self.public_api_url.rstrip("/") + "/api/instances/{instance_id}/ready"
