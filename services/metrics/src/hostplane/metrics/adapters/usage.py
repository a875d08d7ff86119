"""Resource usage from Hetzner's server metrics API, sampled into `views.usage_samples`.

One list call finds every Hostplane server (its traffic counters come with it); then one
metrics call per active server reads the last minutes of CPU, disk and network. Of the
metrics replicas one samples (the leader, `Leadership`); another takes over when it dies.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hcloud import Client

from hostplane.messaging.leadership import Leadership
from hostplane.metrics.adapters.store import ViewStore

log = logging.getLogger(__name__)

MANAGED = "hostplane.io/managed=true"
WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class Sample:
    instance_id: UUID
    ts: datetime
    cpu_percent: float
    disk_bps: float
    net_in_bps: float
    net_out_bps: float
    traffic_out_gb: float
    traffic_gb: float


def _last(series: dict[str, Any], *names: str) -> float:
    """The newest value of the named series, summed (0 when the provider has none yet)."""
    total = 0.0
    for name in names:
        values = series.get(name, {}).get("values") or []
        if values:
            total += float(values[-1][1])
    return total


class UsageCollector:
    def __init__(self, store: ViewStore, client: Client, interval_s: float) -> None:
        self._store = store
        self._client = client
        self._interval_s = interval_s
        self.leadership = Leadership(store.database_url, f"usage-sampler:{store.schema}")

    def collect_once(self) -> int:
        """Sample every active instance once; returns how many were sampled."""
        wanted = self._store.active_servers()
        if not wanted:
            return 0
        servers = {s.id: s for s in self._client.servers.get_all(label_selector=MANAGED)}
        now = datetime.now(UTC)
        samples = []
        for instance_id, hetzner_id in wanted:
            server = servers.get(hetzner_id)
            if server is None:
                continue
            metrics = server.get_metrics(
                type=["cpu", "disk", "network"], start=now - WINDOW, end=now, step=60
            ).metrics.time_series
            samples.append(
                Sample(
                    instance_id=instance_id,
                    ts=now,
                    cpu_percent=_last(metrics, "cpu"),
                    disk_bps=_last(metrics, "disk.0.bandwidth.read", "disk.0.bandwidth.write"),
                    net_in_bps=_last(metrics, "network.0.bandwidth.in"),
                    net_out_bps=_last(metrics, "network.0.bandwidth.out"),
                    traffic_out_gb=(server.outgoing_traffic or 0) / 1e9,
                    traffic_gb=(server.included_traffic or 0) / 1e9,
                )
            )
        self._store.insert_samples(samples)
        return len(samples)

    async def run(self) -> None:
        """Sample forever while leading; a failed round is logged and the next one tries again."""
        while True:
            await self.leadership.lead()
            try:
                while self.leadership.leading:
                    try:
                        await asyncio.to_thread(self.collect_once)
                    except Exception:
                        log.exception("collecting resource usage failed")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.leadership.lost(), self._interval_s)
            finally:
                await self.leadership.step_down()
