"""DNS settings, from the environment (seed 001's variable names for Cloudflare).

`DNS_PROVIDER` chooses the DNS host (`cloudflare`, the default, or `powerdns`); only its
settings are required. Instances get `<subdomain>.<domain>`: the domain is CLOUDFLARE_DOMAIN
with Cloudflare, and POWERDNS_ZONE (by default CLOUDFLARE_DOMAIN too) with PowerDNS.
"""

from typing import ClassVar

from pydantic import Field, model_validator

from hostplane.dns.adapters.provider import DnsProviderName
from hostplane.messaging.settings import InfraSettings
from hostplane.providers.budget import CLOUDFLARE_WINDOW_S, Pace


class Settings(InfraSettings):
    secret_settings: ClassVar[tuple[str, ...]] = ("cloudflare_api_token", "powerdns_api_key")

    dns_provider: DnsProviderName = "cloudflare"
    provider_timeout_s: float = 10.0

    cloudflare_api_token: str = ""
    cloudflare_zone_id: str = ""
    cloudflare_domain: str = ""
    cloudflare_api_base: str = "https://api.cloudflare.com/client/v4"
    # The Cloudflare user's requests per 5 minutes to pace to (its published limit: 1,200).
    cloudflare_requests_per_5_minutes: float = Field(default=1200.0, ge=2)

    # The API's root, without `/api/v1` (PowerDNS's webserver: http://127.0.0.1:8081).
    powerdns_api_url: str = ""
    powerdns_api_key: str = ""
    powerdns_server_id: str = "localhost"
    # The zone instances' records go into, which is also their domain ("hostplane.test",
    # with or without its trailing dot); empty: CLOUDFLARE_DOMAIN.
    powerdns_zone: str = ""
    # PowerDNS publishes no limit: unset, requests are not paced.
    powerdns_requests_per_second: float | None = Field(default=None, gt=0)

    @property
    def domain(self) -> str:
        """The domain instances' names are made under, as the chosen provider serves it."""
        if self.dns_provider == "powerdns":
            return (self.powerdns_zone or self.cloudflare_domain).rstrip(".")
        return self.cloudflare_domain

    @property
    def cloudflare_pace(self) -> Pace:
        """The Cloudflare user's budget: never more than its limit in any 5 minutes.

        With REDIS_URL every dns replica takes from one bucket per token; without Redis each
        process has its own, and replicas must split the limit between them.
        """
        return Pace.per_window(self.cloudflare_requests_per_5_minutes, CLOUDFLARE_WINDOW_S)

    @property
    def powerdns_pace(self) -> Pace | None:
        """At most POWERDNS_REQUESTS_PER_SECOND, a second's worth at once; None: unpaced."""
        rate = self.powerdns_requests_per_second
        return None if rate is None else Pace(rate_per_s=rate, burst=max(1.0, rate))

    @model_validator(mode="after")
    def _require_the_providers_settings(self) -> "Settings":
        required = {
            "cloudflare": (
                ("CLOUDFLARE_API_TOKEN", self.cloudflare_api_token),
                ("CLOUDFLARE_ZONE_ID", self.cloudflare_zone_id),
                ("CLOUDFLARE_DOMAIN", self.cloudflare_domain),
            ),
            "powerdns": (
                ("POWERDNS_API_URL", self.powerdns_api_url),
                ("POWERDNS_API_KEY", self.powerdns_api_key),
                ("POWERDNS_SERVER_ID", self.powerdns_server_id),
                ("POWERDNS_ZONE (or CLOUDFLARE_DOMAIN)", self.domain),
            ),
        }[self.dns_provider]
        missing = [name for name, value in required if not value]
        if missing:
            raise ValueError(f"DNS_PROVIDER={self.dns_provider}: {', '.join(missing)} must be set")
        return self
