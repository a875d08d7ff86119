"""Waits for many boots at once: one round of `boot_states` for all of them per interval.

Polling each boot alone would spend the provider account's rate limit on waiting (Hetzner
answers up to 50 actions in one request).
"""

import asyncio
import logging

from hostplane.providers.errors import ProviderError, TransientError
from hostplane.provisioning.adapters.provider import BootState, ServerProvider

log = logging.getLogger(__name__)


class BootWatch:
    def __init__(self, provider: ServerProvider, timeout_s: float) -> None:
        self._provider = provider
        self._timeout_s = timeout_s
        self._waiting: dict[str, asyncio.Future[BootState]] = {}
        self._polling: asyncio.Task[None] | None = None

    async def finished(self, boot: str) -> BootState:
        """The boot once it is no longer running (status `error` after the timeout)."""
        future = self._waiting.get(boot)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._waiting[boot] = future
        if self._polling is None or self._polling.done():
            self._polling = asyncio.create_task(
                self._poll(), name=f"{self._provider.name}-boot-watch"
            )
        try:
            return await asyncio.wait_for(asyncio.shield(future), self._timeout_s)
        except TimeoutError:
            self._waiting.pop(boot, None)
            return BootState(boot, "error", f"still booting after {self._timeout_s:.0f}s")

    async def _poll(self) -> None:
        while self._waiting:
            await asyncio.sleep(self._provider.poll_interval_s)
            waiting = list(self._waiting)
            try:
                states = await asyncio.to_thread(self._provider.boot_states, waiting)
            except (ProviderError, TransientError) as error:
                log.warning("polling %d boots failed, retrying: %s", len(waiting), error)
                continue
            for state in states:
                if state.status != "running" and state.boot in self._waiting:
                    self._waiting.pop(state.boot).set_result(state)
