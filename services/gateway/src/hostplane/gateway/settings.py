"""Gateway settings, from the environment (seed 001's variable names)."""

from typing import ClassVar
from uuid import UUID

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from hostplane.contracts.attachments import DEFAULT_TYPES
from hostplane.contracts.identity import tenant_id_for
from hostplane.messaging.settings import CatalogSettings, InfraSettings

PLACEHOLDERS = {"", "changeme", "change-me"}
# The development default of STRIPE_WEBHOOK_SECRET: refused anywhere else.
DEV_STRIPE_WEBHOOK_SECRET = "whsec_development_only"  # noqa: S105 - a known placeholder


class Settings(InfraSettings, CatalogSettings):
    """Where its infrastructure is, what is sold where (`REGIONS`, `PLANS`), and its secrets."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")
    secret_settings: ClassVar[tuple[str, ...]] = (
        "whmcs_api_key",
        "whmcs_hmac_secret",
        "jwt_secret",
        "config_secrets_key",
        "instance_token_secret",
        "stripe_webhook_secret",
        "stripe_secret_key",
        "hetzner_api_token",
        "proxmox_token_secret",
        "cloudflare_api_token",
        "powerdns_api_key",
    )

    environment: str = "development"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    # Several gateway processes on one machine share the port (SO_REUSEPORT): the kernel
    # spreads connections over them. Off by default, so a stray second gateway fails loudly.
    gateway_reuse_port: bool = False
    whmcs_api_key: str = ""
    whmcs_hmac_secret: str = ""
    jwt_secret: str = ""
    cloudflare_domain: str = "hostplane.test"
    signature_window_s: int = 300
    # Endpoints whose contract returns the new state wait this long for the job, then answer 202.
    job_wait_s: float = 15.0
    estimated_ready_s: int = 120
    max_body_bytes: int = 64 * 1024
    version: str = "0.1.0"
    # Where SSO links point (this API, as browsers reach it) and where they land.
    public_api_url: str = "http://127.0.0.1:8080"
    dashboard_url: str = "http://127.0.0.1:3000"
    sso_window_s: int = 300
    session_ttl_s: int = 3600
    # Moving-window limits, in the `limits` library's notation.
    rate_limit_api_key: str = "600/minute"
    rate_limit_user: str = "300/minute"
    rate_limit_ip: str = "1200/minute"
    # Fernet key shared with provisioning: seals API keys and tokens before they reach Kafka.
    config_secrets_key: str = ""
    # Shared with provisioning: instance tokens are checked without a lookup.
    instance_token_secret: str = ""

    # mPanel (seed 002): its own listener in the same process; port 0 serves none.
    mpanel_host: str = "127.0.0.1"
    mpanel_port: int = 2271
    # CloudVPS Pro (seed 003) under /api/v1 on a listener of its own (port 0: not served),
    # limited per client address as its contract says.
    cloudvps_host: str = "127.0.0.1"
    cloudvps_port: int = 8081
    rate_limit_cloudvps_ip: str = "100/15 minutes"
    cloudvps_access_ttl_s: int = 900
    cloudvps_refresh_ttl_s: int = 30 * 24 * 3600
    # Support tickets' attachments: what the support service keeps (it reads the same
    # variables), judged here before a message is sent.
    support_attachment_max_bytes: int = 192 * 1024
    support_attachment_max_count: int = 3
    support_attachment_types: frozenset[str] = DEFAULT_TYPES
    # Failed sign-ins allowed before the next attempt waits: per account, per client address.
    cloudvps_sign_in_failures: str = "5/15 minutes"
    cloudvps_sign_in_failures_ip: str = "20/15 minutes"
    mpanel_access_ttl_s: int = 900
    mpanel_refresh_ttl_s: int = 30 * 24 * 3600
    # The platform's own tenant: its admins see and create every tenant.
    default_tenant_name: str = "Hostplane"
    # Stripe signs its webhooks with this (`whsec_...`).
    stripe_webhook_secret: str = DEV_STRIPE_WEBHOOK_SECRET
    # How long an order's Idempotency-Key names the same order.
    idempotency_ttl_s: int = 24 * 3600
    # Only asked whether it answers, for mPanel's status; empty: not configured.
    proxmox_api_url: str = ""
    # The providers' accounts the services use, asked read-only by CloudVPS's system health
    # (`/admin/system/health`); an empty token or URL: not configured, not asked.
    hetzner_api_token: str = ""
    hetzner_api_endpoint: str = "https://api.hetzner.cloud/v1"
    proxmox_token_id: str = ""
    proxmox_token_secret: str = ""
    proxmox_verify_tls: bool = True
    dns_provider: str = "cloudflare"
    cloudflare_api_token: str = ""
    cloudflare_zone_id: str = ""
    cloudflare_api_base: str = "https://api.cloudflare.com/client/v4"
    powerdns_api_url: str = ""
    powerdns_api_key: str = ""
    powerdns_server_id: str = "localhost"
    stripe_api_base: str = "https://api.stripe.com"
    stripe_secret_key: str = ""
    # How long each health check may take; they run at once.
    health_check_timeout_s: float = 3.0

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> "Settings":
        for name in (
            "whmcs_api_key",
            "whmcs_hmac_secret",
            "config_secrets_key",
            "instance_token_secret",
        ):
            if getattr(self, name) in PLACEHOLDERS:
                raise ValueError(f"{name.upper()} must be set")
        if self.environment != "development" and self.jwt_secret in PLACEHOLDERS:
            raise ValueError("JWT_SECRET must be set outside development")
        if self.environment != "development" and self.stripe_webhook_secret in (
            PLACEHOLDERS | {DEV_STRIPE_WEBHOOK_SECRET}
        ):
            raise ValueError("STRIPE_WEBHOOK_SECRET must be set outside development")
        return self

    @property
    def platform_tenant_id(self) -> UUID:
        """The tenant named `DEFAULT_TENANT_NAME`: WHMCS clients' users and platform admins."""
        return tenant_id_for(self.default_tenant_name)

    def instance_url(self, subdomain: str) -> str:
        return f"https://{subdomain}.{self.cloudflare_domain}"
