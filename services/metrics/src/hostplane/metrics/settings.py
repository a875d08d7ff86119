"""Metrics settings, from the environment."""

from typing import ClassVar

from hostplane.messaging.settings import HetznerProjectSettings


class Settings(HetznerProjectSettings):
    # How often resource usage is read from the provider (0 turns collection off).
    metrics_interval_s: float = 60.0
    # With many servers, usage is sampled less often rather than refused.
    hetzner_share_alone: ClassVar[float] = 600.0
