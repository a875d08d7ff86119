"""The usage sampler: every METRICS_INTERVAL_S, each running server's usage goes on Kafka.

Provisioning holds the provider accounts, so it reads their metrics (Hetzner's metrics API,
Proxmox's rrddata) and publishes one `ServerUsage` per server on `telemetry.server_usage`;
metrics stores them. Of the replicas one samples (the leader, `Leadership`), and another takes
over when it dies. A sample published twice is stored once: `(instance_id, ts)` is its key.
"""

import asyncio
import contextlib
import logging

from hostplane.contracts import envelope
from hostplane.contracts.telemetry import ServerUsage
from hostplane.messaging.kafka import make_producer
from hostplane.messaging.leadership import Leadership
from hostplane.messaging.producer import Producer
from hostplane.messaging.settings import InfraSettings
from hostplane.provisioning.application import Provisioning

log = logging.getLogger(__name__)

JSON = [(envelope.CONTENT_TYPE, b"application/json")]


class UsageSampler:
    def __init__(self, app: Provisioning, settings: InfraSettings, interval_s: float) -> None:
        self._app = app
        self._settings = settings
        self._interval_s = interval_s
        self.leadership = Leadership(settings.database_url, f"usage-sampler:{app.name}")

    async def run(self) -> None:
        """Sample forever while leading; a failed round is logged and the next one tries."""
        producer = make_producer(self._settings.kafka_bootstrap_servers, "provisioning-usage")
        await producer.start()
        try:
            while True:
                await self.leadership.lead()
                try:
                    await self._sample_while_leading(producer)
                finally:
                    await self.leadership.step_down()
        finally:
            await producer.stop()

    async def _sample_while_leading(self, producer: Producer) -> None:
        while self.leadership.leading:
            try:
                samples = await asyncio.to_thread(self._app.sample_usage)
                await asyncio.gather(*(self._publish(producer, s) for s in samples))
            except Exception:
                log.exception("sampling resource usage failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.leadership.lost(), self._interval_s)

    async def _publish(self, producer: Producer, sample: ServerUsage) -> None:
        await producer.send_and_wait(
            self._settings.topic(sample.topic),
            sample.model_dump_json().encode(),
            str(sample.instance_id).encode(),
            JSON,
        )
