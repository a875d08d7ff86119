"""A timer: usage samples past their retention are deleted, every interval.

Every replica runs it: deleting is idempotent, and a round finds little left to delete
after another replica's.
"""

import asyncio
import logging

from hostplane.metrics.application import Metrics

log = logging.getLogger(__name__)


async def forget_old_usage(app: Metrics, interval_s: float) -> None:
    """Delete old usage samples now and every `interval_s`; a failed round (the database
    away) is logged, and the next one tries again."""
    while True:
        try:
            if forgotten := await asyncio.to_thread(app.forget_old_usage):
                log.info("deleted %d usage samples past their retention", forgotten)
        except Exception:
            log.exception("deleting old usage samples failed")
        await asyncio.sleep(interval_s)
