"""What a booted server does last: call the ready callback its cloud-init user data carries.

A real server runs the user data's script, which posts OpenClaw's version to Hostplane's
gateway with the instance's bearer token; cloudsim reads the URL and token out of the user
data and does the same once the server has booted, whichever provider simulated it.
"""

import asyncio
import re
import time
from typing import Any

import httpx

from hostplane.cloudsim.state import World

READY_URL = re.compile(r"HOSTPLANE_READY_URL=(\S+)")
READY_TOKEN = re.compile(r"HOSTPLANE_READY_TOKEN=(\S+)")
GIVE_UP_AFTER_S = 60


class ReadyCallback:
    def __init__(self, world: World) -> None:
        self.world = world
        self._http: httpx.AsyncClient | None = None

    async def send(self, server_id: int, user_data: str) -> None:
        """Post to the user data's ready URL until the gateway answers below 500 (a minute
        at most), recorded in `world.callbacks`; user data without one is left alone."""
        url, token = READY_URL.search(user_data), READY_TOKEN.search(user_data)
        if not (self.world.config.ready_callback and url and token):
            return
        body = {"openclaw_version": self.world.config.openclaw_version, "gateway_port": 18789}
        entry: dict[str, Any] = {"server_id": server_id, "url": url[1], "attempts": 0}
        self.world.callbacks.append(entry)
        deadline = time.monotonic() + GIVE_UP_AFTER_S
        delay = 0.2
        if self._http is None:  # one client for every callback: building one costs a TLS context
            self._http = httpx.AsyncClient(timeout=10)
        while time.monotonic() < deadline:
            entry["attempts"] += 1
            try:
                response = await self._http.post(
                    url[1], json=body, headers={"Authorization": f"Bearer {token[1]}"}
                )
                entry["status"] = response.status_code
                if response.status_code < 500:
                    return
            except httpx.HTTPError as exc:
                entry["status"] = repr(exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5)
