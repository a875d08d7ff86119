"""What a booted server does last: call the ready callback its cloud-init user data carries.

A real server runs the user data's script, which posts OpenClaw's version to Hostplane's
gateway with the instance's bearer token; cloudsim reads the URL and token out of the user
data and does the same once the server has booted, whichever provider simulated it.
"""

import asyncio
import re
from typing import Any

import httpx

from hostplane.cloudsim.state import World

READY_URL = re.compile(r"HOSTPLANE_READY_URL=(\S+)")
READY_TOKEN = re.compile(r"HOSTPLANE_READY_TOKEN=(\S+)")
# As the user data's script does (cloudinit.py): 30 tries, 2 s apart, each as long as the
# gateway takes to answer (curl has no timeout of its own; here 30 s).
ATTEMPTS = 30
PAUSE_S = 2.0
REQUEST_TIMEOUT_S = 30.0


class ReadyCallback:
    def __init__(self, world: World) -> None:
        self.world = world
        self._http: httpx.AsyncClient | None = None

    async def send(self, server_id: int, user_data: str) -> None:
        """Post to the user data's ready URL until the gateway answers below 500 (30 tries,
        as the script does), recorded in `world.callbacks`; user data without one is left
        alone."""
        url, token = READY_URL.search(user_data), READY_TOKEN.search(user_data)
        if not (self.world.config.ready_callback and url and token):
            return
        body = {"openclaw_version": self.world.config.openclaw_version, "gateway_port": 18789}
        entry: dict[str, Any] = {"server_id": server_id, "url": url[1], "attempts": 0}
        self.world.callbacks.append(entry)
        if self._http is None:  # one client for every callback: building one costs a TLS context
            self._http = httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S)
        for attempt in range(1, ATTEMPTS + 1):
            entry["attempts"] = attempt
            try:
                response = await self._http.post(
                    url[1], json=body, headers={"Authorization": f"Bearer {token[1]}"}
                )
                entry["status"] = response.status_code
                if response.status_code < 500:
                    return
            except httpx.HTTPError as exc:
                entry["status"] = repr(exc)
            await asyncio.sleep(PAUSE_S / self.world.config.time_factor)
