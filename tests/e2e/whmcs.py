"""A WHMCS module as the gateway sees it: every request signed with the shared secret."""

import json
import time
import uuid
from typing import Any

import httpx
import jwt

from hostplane.gateway.domain.signatures import whmcs_signature
from tests.e2e.conftest import API_KEY, HMAC_SECRET, JWT_SECRET


class Whmcs:
    def __init__(
        self,
        base_url: str,
        secret: str = HMAC_SECRET,
        api_key: str = API_KEY,
        signed: set[tuple[str, str, bytes, str]] | None = None,
    ) -> None:
        """`signed`: what was signed already, shared by clients of one WHMCS installation
        (a retry through another gateway must not reuse a signature either)."""
        self._http = httpx.Client(base_url=base_url, timeout=30)
        self._secret = secret
        self._api_key = api_key
        self._signed = signed if signed is not None else set()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        content = raw if raw is not None else (json.dumps(body).encode() if body else b"")
        stamp = str(timestamp if timestamp is not None else self._fresh(method, path, content))
        self._signed.add((method, path, content, stamp))
        headers = {
            "X-API-Key": self._api_key,
            "X-Timestamp": stamp,
            "X-Signature": signature or whmcs_signature(self._secret, content, stamp),
            "Content-Type": "application/json",
        }
        return self._http.request(method, path, content=content, headers=headers)

    def _fresh(self, method: str, path: str, content: bytes) -> int:
        """A timestamp not yet signed for this request: a new request is never a replay."""
        stamp = int(time.time())
        while (method, path, content, str(stamp)) in self._signed:
            stamp -= 1
        return stamp

    def create(self, **fields: Any) -> httpx.Response:
        return self.request("POST", "/api/instances", fields)

    def get(self, instance_id: str) -> httpx.Response:
        return self.request("GET", f"/api/instances/{instance_id}")


def token(role: str = "admin", sub: str | None = None, ttl_s: int = 600, **claims: Any) -> str:
    """A dashboard JWT signed with the stack's secret."""
    now = int(time.time())
    payload = {"sub": sub or str(uuid.uuid4()), "role": role, "iat": now, "exp": now + ttl_s}
    return jwt.encode({**payload, **claims}, JWT_SECRET, algorithm="HS256")


class Dashboard:
    """A dashboard session: every request carries a bearer JWT."""

    def __init__(self, base_url: str, bearer: str) -> None:
        self._http = httpx.Client(
            base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {bearer}"}
        )

    def request(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return self._http.request(method, path, json=body)

    def get(self, instance_id: str) -> httpx.Response:
        return self._http.get(f"/api/instances/{instance_id}")
