"""Metrics settings, from the environment."""

from hostplane.messaging.settings import InfraSettings


class Settings(InfraSettings):
    hetzner_api_token: str = ""
    hetzner_api_endpoint: str = "https://api.hetzner.cloud/v1"
    # How often resource usage is read from the provider (0 turns collection off).
    metrics_interval_s: float = 60.0
    # This service's share of the Hetzner project's rate limit (3,600/h, shared with
    # provisioning); with many servers, usage is sampled less often rather than refused.
    hetzner_requests_per_hour: float = 600.0
