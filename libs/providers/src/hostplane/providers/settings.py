"""The provider accounts' settings, for the services that call them."""

from typing import ClassVar

from pydantic import Field

from hostplane.messaging.settings import InfraSettings
from hostplane.providers.budget import HETZNER_PROJECT_PER_HOUR, Budget, Pace
from hostplane.providers.shared_budget import budget_for


class HetznerProjectSettings(InfraSettings):
    """A service that calls the Hetzner project (provisioning, metrics), and its budget."""

    secret_settings: ClassVar[tuple[str, ...]] = ("hetzner_api_token",)

    hetzner_api_token: str = ""
    hetzner_api_endpoint: str = "https://api.hetzner.cloud/v1"
    # The Hetzner project's requests an hour to pace to; unset: see `hetzner_budget`.
    hetzner_requests_per_hour: float | None = Field(default=None, gt=0)
    # Without Redis each process paces alone: its share of the project's 3,600 an hour.
    hetzner_share_alone: ClassVar[float]

    def hetzner_budget(self) -> Budget:
        """The Hetzner project's budget, so that its 3,600 requests an hour are never exceeded.

        With REDIS_URL, provisioning and metrics, every replica of both, take from one bucket
        per project refilled at HETZNER_REQUESTS_PER_HOUR: by default the project's limit
        (give both services the same value). Without Redis each process has a bucket of its
        own, so the default is the service's share (provisioning 3,000, metrics 600).
        """
        per_hour = self.hetzner_requests_per_hour or (
            HETZNER_PROJECT_PER_HOUR if self.redis_url else self.hetzner_share_alone
        )
        return budget_for(
            self.redis_url,
            "hetzner",
            self.hetzner_api_endpoint,
            self.hetzner_api_token,
            Pace.per_hour(per_hour),
        )


class ProxmoxSettings(InfraSettings):
    """A Proxmox VE cluster, reached with an API token (`user@realm!name` and its secret)."""

    secret_settings: ClassVar[tuple[str, ...]] = ("proxmox_token_secret",)

    proxmox_api_url: str = ""  # e.g. https://pve.example.com:8006
    proxmox_token_id: str = ""  # user@realm!tokenname
    proxmox_token_secret: str = ""
    proxmox_verify_tls: bool = True
    # The storage (on every node) that holds each VM's cloud-init seed ISO.
    proxmox_seed_storage: str = "local"
