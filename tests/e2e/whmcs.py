"""A WHMCS module as the gateway sees it: every request signed with the shared secret."""

import json
import time
from typing import Any

import httpx

from hostplane.gateway.auth import whmcs_signature
from tests.e2e.conftest import API_KEY, HMAC_SECRET


class Whmcs:
    def __init__(self, base_url: str, secret: str = HMAC_SECRET, api_key: str = API_KEY) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=30)
        self._secret = secret
        self._api_key = api_key

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
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        headers = {
            "X-API-Key": self._api_key,
            "X-Timestamp": stamp,
            "X-Signature": signature or whmcs_signature(self._secret, content, stamp),
            "Content-Type": "application/json",
        }
        return self._http.request(method, path, content=content, headers=headers)

    def create(self, **fields: Any) -> httpx.Response:
        return self.request("POST", "/api/instances", fields)

    def get(self, instance_id: str) -> httpx.Response:
        return self.request("GET", f"/api/instances/{instance_id}")
