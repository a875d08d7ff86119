"""Whether a service the gateway does not talk to itself answers on its port (mPanel's
status: Redis behind the rate limits, the Proxmox VE API)."""

import asyncio
import contextlib
from urllib.parse import urlsplit

PROBE_TIMEOUT_S = 2.0
DEFAULT_PORTS = {"redis": 6379, "rediss": 6379, "http": 80, "https": 443}


class TcpProbe:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)

    async def reachable(self) -> bool:
        """Whether a TCP connection opens within two seconds."""
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_S):
                _, writer = await asyncio.open_connection(self._host, self._port)
        except (OSError, TimeoutError):
            return False
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True
