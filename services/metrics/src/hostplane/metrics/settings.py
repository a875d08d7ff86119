"""Metrics settings, from the environment."""

from pydantic import Field

from hostplane.messaging.settings import InfraSettings


class Settings(InfraSettings):
    # How long usage samples are kept, and how often older ones are deleted.
    usage_retention_days: float = Field(default=30.0, gt=0)
    usage_retention_interval_s: float = Field(default=3600.0, gt=0)
