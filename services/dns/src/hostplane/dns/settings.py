"""DNS settings, from the environment (seed 001's variable names)."""

from pydantic import Field, model_validator

from hostplane.providers.budget import CLOUDFLARE_WINDOW_S, Pace
from hostplane.messaging.settings import InfraSettings


class Settings(InfraSettings):
    cloudflare_api_token: str = ""
    cloudflare_zone_id: str = ""
    cloudflare_domain: str = ""
    cloudflare_api_base: str = "https://api.cloudflare.com/client/v4"
    provider_timeout_s: float = 10.0
    # The Cloudflare user's requests per 5 minutes to pace to (its published limit: 1,200).
    cloudflare_requests_per_5_minutes: float = Field(default=1200.0, ge=2)

    @property
    def cloudflare_pace(self) -> Pace:
        """The Cloudflare user's budget: never more than its limit in any 5 minutes.

        With REDIS_URL every dns replica takes from one bucket per token; without Redis each
        process has its own, and replicas must split the limit between them.
        """
        return Pace.per_window(self.cloudflare_requests_per_5_minutes, CLOUDFLARE_WINDOW_S)

    @model_validator(mode="after")
    def _require_cloudflare(self) -> "Settings":
        missing = [
            name
            for name, value in (
                ("CLOUDFLARE_API_TOKEN", self.cloudflare_api_token),
                ("CLOUDFLARE_ZONE_ID", self.cloudflare_zone_id),
                ("CLOUDFLARE_DOMAIN", self.cloudflare_domain),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"{', '.join(missing)} must be set")
        return self
