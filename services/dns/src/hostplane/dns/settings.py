"""DNS settings, from the environment (seed 001's variable names)."""

from pydantic import model_validator

from hostplane.messaging.settings import InfraSettings


class Settings(InfraSettings):
    cloudflare_api_token: str = ""
    cloudflare_zone_id: str = ""
    cloudflare_domain: str = ""
    cloudflare_api_base: str = "https://api.cloudflare.com/client/v4"
    provider_timeout_s: float = 10.0

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
