"""Billing settings, from the environment; placeholders are refused outside development."""

from typing import ClassVar

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from hostplane.billing.domain.dunning import DunningSchedule
from hostplane.billing.domain.passwords import is_placeholder
from hostplane.billing.domain.tax import DEFAULT_TAX_RATES_BP
from hostplane.messaging.settings import CatalogSettings, InfraSettings


class Settings(InfraSettings, CatalogSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")
    secret_settings: ClassVar[tuple[str, ...]] = (
        "admin_password",
        "stripe_secret_key",
        "config_secrets_key",
    )

    environment: str = "development"
    # The first admin, created once (idempotently) in the default tenant.
    admin_email: str = "admin@hostplane.test"
    admin_password: str = ""
    default_tenant_name: str = "Hostplane"
    stripe_api_base: str = "https://api.stripe.com"
    stripe_secret_key: str = ""
    stripe_timeout_s: float = 10.0
    # Fernet key shared with the gateway: operators' passwords arrive sealed, hashes leave so.
    config_secrets_key: str = ""
    # ISO country -> basis points (2000 = 20 %); the customer's address picks the rate.
    tax_rates: dict[str, int] = dict(DEFAULT_TAX_RATES_BP)
    # JSON: {"retry_days": [1, 3, 7], "overdue_after_days": 1, "suspend_after_days": 7,
    # "terminate_after_days": 30}, counted from an invoice's due date.
    dunning_schedule: str = ""
    invoice_due_days: int = 7
    # Invoice and credit-note number prefixes (numbers are gapless per tenant and year).
    invoice_prefix: str = "INV"
    credit_note_prefix: str = "CN"
    # How often the clock looks for due renewals and dunning steps.
    billing_tick_s: float = 30.0
    # Development and tests only: the file whose instant (or +offset) is the time.
    billing_clock_file: str = ""

    @property
    def dunning(self) -> DunningSchedule:
        if not self.dunning_schedule:
            return DunningSchedule()
        return DunningSchedule.parse(self.dunning_schedule)

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> "Settings":
        if not self.config_secrets_key:
            raise ValueError("CONFIG_SECRETS_KEY must be set")
        if not self.stripe_secret_key:
            raise ValueError("STRIPE_SECRET_KEY must be set")
        self.dunning  # noqa: B018 - a schedule that does not parse refuses to start
        if self.environment != "development":
            if is_placeholder(self.admin_password):
                raise ValueError("ADMIN_PASSWORD must be set, and not to a placeholder")
            if self.billing_clock_file:
                raise ValueError("BILLING_CLOCK_FILE is for development and tests only")
        return self
