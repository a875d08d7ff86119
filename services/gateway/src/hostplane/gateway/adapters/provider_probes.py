"""Read-only checks of the accounts Hostplane's services use at their providers, for the
system health: one cheap authenticated GET each, with the services' own settings.

Hetzner Cloud lists one location, Proxmox VE answers `/version`, Cloudflare shows the zone,
PowerDNS lists the server's zones, and Stripe shows the account's balance. A check raises
`CheckFailed` with a short reason (never the credentials); a provider whose settings are
empty is not configured and not asked.
"""

import httpx

from hostplane.gateway.application.cloudvps.admin import Check, CheckFailed
from hostplane.gateway.application.ports import Reachable
from hostplane.gateway.settings import Settings


class HttpCheck:
    """A GET whose 2xx answer means the provider took our credentials and answered."""

    def __init__(self, client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
        self._client, self._url, self._headers = client, url, headers

    async def check(self) -> None:
        try:
            answer = await self._client.get(self._url, headers=self._headers)
        except httpx.HTTPError as error:
            raise CheckFailed(f"not reachable: {type(error).__name__}") from error
        if not answer.is_success:
            raise CheckFailed(f"answered HTTP {answer.status_code}")


def provider_checks(
    settings: Settings, client: httpx.AsyncClient, proxmox_client: httpx.AsyncClient
) -> dict[str, Check]:
    """A check for each provider the settings configure, by its name."""
    s, checks = settings, dict[str, Check]()
    if s.hetzner_api_token:
        checks["hetzner"] = HttpCheck(
            client,
            f"{s.hetzner_api_endpoint.rstrip('/')}/locations?per_page=1",
            {"Authorization": f"Bearer {s.hetzner_api_token}"},
        )
    if s.proxmox_api_url and s.proxmox_token_id:
        checks["proxmox"] = HttpCheck(
            proxmox_client,
            f"{s.proxmox_api_url.rstrip('/')}/api2/json/version",
            {"Authorization": f"PVEAPIToken={s.proxmox_token_id}={s.proxmox_token_secret}"},
        )
    if s.dns_provider == "cloudflare" and s.cloudflare_api_token and s.cloudflare_zone_id:
        checks["cloudflare"] = HttpCheck(
            client,
            f"{s.cloudflare_api_base.rstrip('/')}/zones/{s.cloudflare_zone_id}",
            {"Authorization": f"Bearer {s.cloudflare_api_token}"},
        )
    if s.dns_provider == "powerdns" and s.powerdns_api_url:
        checks["powerdns"] = HttpCheck(
            client,
            f"{s.powerdns_api_url.rstrip('/')}/api/v1/servers/{s.powerdns_server_id}/zones",
            {"X-API-Key": s.powerdns_api_key},
        )
    if s.stripe_secret_key:
        checks["stripe"] = HttpCheck(
            client,
            f"{s.stripe_api_base.rstrip('/')}/v1/balance",
            {"Authorization": f"Bearer {s.stripe_secret_key}"},
        )
    return checks


class Reaches:
    """The database or the broker as a check: it answers (a query, the broker's metadata)."""

    def __init__(self, target: Reachable) -> None:
        self._target = target

    async def check(self) -> None:
        if not await self._target.reachable():
            raise CheckFailed("not reachable")
