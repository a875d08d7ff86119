"""Cloudflare DNS through its v4 HTTP API (`{success, errors, messages, result}` envelope).

Calls are safe to repeat: a record is looked up by name and type before it is created, and
deleting is "make sure it is gone". Every request takes a token from the user's budget (1,200
requests per 5 minutes) before it goes out; a 429 is retried after its `Retry-After`.
"""

from typing import Any

import httpx

from hostplane.dns.adapters.provider import DnsProviderName
from hostplane.providers.budget import Budget, PacedTransport
from hostplane.providers.errors import ProviderError, TransientError, retry_after_of
from hostplane.providers.retrying import retrying

# Cloudflare's error codes that repeating a call can meet: the record is there already, or
# gone already.
ALREADY_EXISTS = "81057"
DOES_NOT_EXIST = "81044"


class CloudflareProvider:
    def __init__(
        self,
        api_base: str,
        token: str,
        zone_id: str,
        timeout_s: float = 10.0,
        budget: Budget | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`transport` replaces the paced one (tests serve Cloudflare's answers with it)."""
        self._zone_id = zone_id
        self._http = httpx.Client(
            base_url=api_base.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout_s,
            transport=transport or PacedTransport("cloudflare", budget),
        )

    @property
    def name(self) -> DnsProviderName:
        return "cloudflare"

    def ensure_record(self, name: str, record_type: str, content: str) -> str:
        """The id of the record `name` → `content`, created (or corrected) if needed."""
        existing = self._find(name, record_type)
        if existing is None:
            try:
                created = self._call(
                    "POST",
                    self._records(),
                    json={
                        "type": record_type,
                        "name": name,
                        "content": content,
                        "ttl": 60,
                        "proxied": False,
                        "comment": "managed by hostplane",
                    },
                )
            except ProviderError as error:
                # A create whose answer was lost, retried: the record is there already.
                found = self._find(name, record_type) if error.code == ALREADY_EXISTS else None
                if found is None:
                    raise
                return str(found["id"])
            return str(created["id"])
        if existing["content"] != content:
            self._call("PATCH", f"{self._records()}/{existing['id']}", json={"content": content})
        return str(existing["id"])

    def ensure_absent(self, name: str, record_type: str) -> list[str]:
        """Delete every `name` record of `record_type`; returns the ids that were deleted."""
        deleted = []
        while (record := self._find(name, record_type)) is not None:
            try:
                self._call("DELETE", f"{self._records()}/{record['id']}")
            except ProviderError as error:
                if error.code != DOES_NOT_EXIST:
                    raise
            deleted.append(str(record["id"]))
        return deleted

    def close(self) -> None:
        self._http.close()

    def _records(self) -> str:
        return f"/zones/{self._zone_id}/dns_records"

    def _find(self, name: str, record_type: str) -> dict[str, Any] | None:
        found = self._call("GET", self._records(), params={"name": name, "type": record_type})
        return found[0] if found else None

    @retrying("cloudflare")
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise TransientError(f"{method} {path}: {error!r}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(
                f"{method} {path}: HTTP {response.status_code}",
                retry_after_of(response.headers.get("Retry-After")),
            )
        try:
            body = response.json()
        except ValueError as error:
            raise ProviderError("DNS_PROVIDER_ERROR", f"HTTP {response.status_code}") from error
        if not body.get("success"):
            errors = body.get("errors") or [{"code": response.status_code, "message": "failed"}]
            first = errors[0]
            raise ProviderError(str(first.get("code")), str(first.get("message")))
        return body.get("result")
