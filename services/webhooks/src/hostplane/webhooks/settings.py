"""Webhooks settings, from the environment."""

from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from hostplane.messaging.settings import InfraSettings


class Settings(InfraSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")
    secret_settings: ClassVar[tuple[str, ...]] = ("config_secrets_key",)

    environment: str = "development"
    # Fernet key shared with the gateway: endpoints' secrets arrive sealed and are kept so.
    config_secrets_key: str = ""
    # Deliver to loopback, private and link-local addresses (development and tests only).
    webhooks_allow_private_targets: bool = False
    # How long one attempt may take, connecting included.
    webhooks_timeout_s: float = Field(default=10.0, gt=0)
    # How many deliveries one replica sends at a time.
    webhooks_concurrency: int = Field(default=32, ge=1)
    # The longest the dispatcher waits before looking for due deliveries when nothing woke it.
    webhooks_poll_s: float = Field(default=1.0, gt=0)
    # How long a webhook about a billing customer not told of yet waits for billing.events
    # (consumed apart from the event's own topic) to tell of it and of its CloudVPS account,
    # its `user_id`; past it, it is sent with `user_id` null. One about a customer told of,
    # with an account or without (an mPanel tenant's), does not wait.
    webhooks_owner_wait_s: float = Field(default=30.0, ge=0)
    # Development and tests only: the file whose instant (or +offset) is the time.
    webhooks_clock_file: str = ""

    @model_validator(mode="after")
    def _refuse_what_is_missing(self) -> "Settings":
        if not self.config_secrets_key:
            raise ValueError("CONFIG_SECRETS_KEY must be set")
        if self.environment != "development":
            if self.webhooks_clock_file:
                raise ValueError("WEBHOOKS_CLOCK_FILE is for development and tests only")
            if self.webhooks_allow_private_targets:
                raise ValueError("WEBHOOKS_ALLOW_PRIVATE_TARGETS is for development and tests only")
        return self
