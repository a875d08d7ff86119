"""Posting a delivery: to the addresses its URL was checked to reach, and nothing else.

The URL's host is resolved and checked (`check_target`) right before each attempt, and the
connection goes to the checked address: resolving the name again could give another answer
(DNS rebinding). The request still names the host (`Host`, and TLS's SNI and certificate
check), so receivers behind virtual hosts and TLS are reached as their URL says.
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from hostplane.webhooks.domain.targets import (
    IPAddress,
    Resolver,
    TargetRefused,
    check_target,
    resolve_with_dns,
)

USER_AGENT = "Hostplane-Webhooks/1"
SNIPPET_BYTES = 1024
# Threads for resolving targets: the sender's own, so that other work queued on the event
# loop's default threads never holds up an attempt.
RESOLVERS = 8


@dataclass(frozen=True)
class Sent:
    """What an attempt got: the status (None: no answer), `Retry-After`, how long it took, why
    it failed when there was no answer, and the start of the answer's body."""

    status: int | None
    latency_ms: int
    retry_after: str | None = None
    error: str | None = None
    response: str | None = None


class HttpSender:
    def __init__(
        self,
        timeout_s: float,
        allow_private: bool,
        resolve: Resolver = resolve_with_dns,
        connections: int = 32,
    ) -> None:
        self._allow_private = allow_private
        self._resolve = resolve
        self._resolving = ThreadPoolExecutor(RESOLVERS, thread_name_prefix="webhooks-resolve")
        # As many kept-alive connections as attempts at a time: with httpx's default of 20, a
        # busy receiver's extra connections were closed after each answer and opened again.
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self._client = httpx.AsyncClient(
            timeout=timeout_s,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            limits=limits,
        )

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Sent:
        """POST `body` to `url` once; never raises for the receiver's or the network's sake."""
        started = time.monotonic()
        try:
            addresses = await asyncio.get_running_loop().run_in_executor(
                self._resolving, check_target, url, self._allow_private, self._resolve
            )
            request = self._client.build_request(
                "POST",
                _at(url, addresses[0]),
                content=body,
                headers={
                    **headers,
                    "Host": urlsplit(url).netloc,
                    "Content-Type": "application/json",
                },
                extensions={"sni_hostname": urlsplit(url).hostname or ""},
            )
            response = await self._client.send(request, stream=True)
            try:
                snippet = await _snippet(response)
            finally:
                await response.aclose()
        except TargetRefused as refused:
            return Sent(None, _since(started), error=f"refused: {refused}")
        except httpx.HTTPError as error:
            return Sent(None, _since(started), error=f"{type(error).__name__}: {error}"[:500])
        return Sent(
            response.status_code,
            _since(started),
            retry_after=response.headers.get("Retry-After"),
            response=snippet,
        )

    async def close(self) -> None:
        await self._client.aclose()
        self._resolving.shutdown(wait=False)


def _at(url: str, address: IPAddress) -> str:
    """`url` with its host replaced by the checked address (its port kept)."""
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


async def _snippet(response: httpx.Response) -> str:
    read = b""
    async for chunk in response.aiter_bytes():
        read += chunk
        if len(read) >= SNIPPET_BYTES:
            break
    return read[:SNIPPET_BYTES].decode(errors="replace")


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
