"""`python -m hostplane.metrics`: project every event topic into the `views` read models."""

from functools import partial

import uvloop

from hostplane.messaging.service import observe, run_service
from hostplane.metrics.bootstrap import bootstrap
from hostplane.metrics.entrypoints.consumers import subscribe
from hostplane.metrics.entrypoints.retention import forget_old_usage
from hostplane.metrics.settings import Settings


def main() -> None:
    settings = Settings()
    observe("metrics", settings)
    app = bootstrap(settings)
    retention = partial(forget_old_usage, app, settings.usage_retention_interval_s)
    uvloop.run(run_service("metrics", settings, app, subscribe, tasks=[retention]))


if __name__ == "__main__":
    main()
