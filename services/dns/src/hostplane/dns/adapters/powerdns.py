"""PowerDNS Authoritative through its HTTP API (`<api url>/api/v1`, `X-API-Key`).

PowerDNS keeps records as RRsets: every record of one name and type, changed together by a
`PATCH` of the zone (`changetype` REPLACE or DELETE, answered 204) and read from the zone
(`GET .../zones/<zone>`). Names are canonical: lower case here, with a trailing dot.

PowerDNS has no record ids. The id Hostplane keeps is the RRset's own address in the zone,
`<canonical name>/<type>` (`shop.hostplane.test./A`): stable, and the same whichever replica
made it. Calls are safe to repeat: the RRset is looked up first and replaced only when it
differs (REPLACE is idempotent anyway), and a DELETE of an RRset that is gone already
succeeds. Errors come as `{"error": "..."}`: 422 for data PowerDNS refuses, 404 for a zone it
does not serve; both fail for good (`ProviderError`, its code the HTTP status). 5xx, 429 and
transport errors are retried, after `Retry-After` when one is given. PowerDNS publishes no
rate limit: requests are paced only when a budget is given.
"""

from typing import Any

import httpx

from hostplane.dns.adapters.provider import DnsProviderName
from hostplane.providers.budget import Budget, PacedTransport
from hostplane.providers.errors import ProviderError, TransientError, retry_after_of
from hostplane.providers.retrying import retrying

TTL_S = 60
COMMENT = {"content": "managed by hostplane", "account": "hostplane"}


def canonical(name: str) -> str:
    """A DNS name as PowerDNS addresses it: lower case, with its trailing dot."""
    return name.rstrip(".").lower() + "."


def record_id(name: str, record_type: str) -> str:
    """Hostplane's id of an RRset at PowerDNS: its canonical name and its type."""
    return f"{canonical(name)}/{record_type}"


class PowerDnsProvider:
    def __init__(
        self,
        api_url: str,
        api_key: str,
        zone: str,
        server_id: str = "localhost",
        timeout_s: float = 10.0,
        budget: Budget | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Records go into `zone` on the server `server_id` of the API at `api_url`.

        `transport` replaces the paced one (tests serve PowerDNS's answers with it).
        """
        self._zone = canonical(zone)
        self._zone_path = f"/servers/{server_id}/zones/{self._zone}"
        self._http = httpx.Client(
            base_url=f"{api_url.rstrip('/')}/api/v1",
            headers={"X-API-Key": api_key, "Accept": "application/json"},
            timeout=timeout_s,
            transport=transport or PacedTransport("powerdns", budget),
        )

    @property
    def name(self) -> DnsProviderName:
        return "powerdns"

    def ensure_record(self, name: str, record_type: str, content: str) -> str:
        """The id of the RRset `name` → `content`, replaced if it holds anything else."""
        rrset = self._find(name, record_type)
        wanted = [{"content": content, "disabled": False}]
        if rrset is None or _records(rrset) != wanted:
            self._patch(
                {
                    "name": canonical(name),
                    "type": record_type,
                    "ttl": TTL_S,
                    "changetype": "REPLACE",
                    "records": wanted,
                    "comments": [COMMENT],
                }
            )
        return record_id(name, record_type)

    def ensure_absent(self, name: str, record_type: str) -> list[str]:
        """Delete the `name` RRset of `record_type`; returns its id if it was there."""
        if self._find(name, record_type) is None:
            return []
        self._patch({"name": canonical(name), "type": record_type, "changetype": "DELETE"})
        return [record_id(name, record_type)]

    def close(self) -> None:
        self._http.close()

    def _find(self, name: str, record_type: str) -> dict[str, Any] | None:
        # Newer servers answer with the asked RRset only; older ones ignore both parameters
        # and answer with the whole zone.
        zone = self._call(
            "GET",
            self._zone_path,
            params={"rrset_name": canonical(name), "rrset_type": record_type},
        )
        return next(
            (
                rrset
                for rrset in zone.get("rrsets", [])
                if canonical(rrset["name"]) == canonical(name)
                and rrset["type"] == record_type
                and rrset.get("records")
            ),
            None,
        )

    def _patch(self, rrset: dict[str, Any]) -> None:
        self._call("PATCH", self._zone_path, json={"rrsets": [rrset]})

    @retrying("powerdns")
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise TransientError(f"{method} {path}: {error!r}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(
                f"{method} {path}: HTTP {response.status_code}: {_error_of(response)}",
                retry_after_of(response.headers.get("Retry-After")),
            )
        if response.status_code >= 400:
            raise ProviderError(str(response.status_code), _error_of(response))
        if response.status_code == 204:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise ProviderError("DNS_PROVIDER_ERROR", f"HTTP {response.status_code}") from error


def _records(rrset: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"content": r["content"], "disabled": bool(r.get("disabled", False))}
        for r in rrset["records"]
    ]


def _error_of(response: httpx.Response) -> str:
    """PowerDNS's `error`, and its `errors` when it found several."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or f"HTTP {response.status_code}"
    if not isinstance(body, dict) or "error" not in body:
        return f"HTTP {response.status_code}"
    details = [str(e) for e in body.get("errors") or []]
    return "; ".join([str(body["error"]), *details])
