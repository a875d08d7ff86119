"""Metrics settings, from the environment."""

from hostplane.messaging.settings import InfraSettings


class Settings(InfraSettings):
    pass
