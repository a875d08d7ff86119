"""Metrics settings, from the environment."""

from pydantic import Field

from hostplane.messaging.provider_budget import HETZNER_PROJECT_PER_HOUR, Pace
from hostplane.messaging.settings import InfraSettings


class Settings(InfraSettings):
    hetzner_api_token: str = ""
    hetzner_api_endpoint: str = "https://api.hetzner.cloud/v1"
    # How often resource usage is read from the provider (0 turns collection off).
    metrics_interval_s: float = 60.0
    # The Hetzner project's requests an hour to pace to; unset: see `hetzner_pace`.
    hetzner_requests_per_hour: float | None = Field(default=None, gt=0)

    @property
    def hetzner_pace(self) -> Pace:
        """The Hetzner project's budget, so that its 3,600 requests an hour are never exceeded.

        With REDIS_URL, metrics and provisioning, every replica of both, take from one bucket
        per project refilled at HETZNER_REQUESTS_PER_HOUR: by default the project's limit,
        3,600 (give both services the same value). A collector samples one server at a time,
        so at most one of its requests waits on the bucket beside provisioning's. Without
        Redis each process has a bucket of its own, so the default is this service's share:
        600 here, 3,000 for provisioning. With many servers, usage is sampled less often
        rather than refused.
        """
        per_hour = self.hetzner_requests_per_hour or (
            HETZNER_PROJECT_PER_HOUR if self.redis_url else 600.0
        )
        return Pace.per_hour(per_hour)
