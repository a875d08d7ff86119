"""`python -m hostplane.provisioning`: run the provisioning service."""

import uvloop

from hostplane.messaging.service import Outbox, observe, run_service
from hostplane.provisioning.adapters.publishing import translate
from hostplane.provisioning.bootstrap import bootstrap
from hostplane.provisioning.entrypoints.consumers import subscribe
from hostplane.provisioning.entrypoints.usage import UsageSampler
from hostplane.provisioning.settings import Settings


def main() -> None:
    settings = Settings()
    observe("provisioning", settings)
    app = bootstrap(settings)
    tasks = []
    if settings.metrics_interval_s > 0:
        tasks.append(UsageSampler(app, settings, settings.metrics_interval_s).run)
    uvloop.run(
        run_service(
            "provisioning",
            settings,
            app,
            subscribe,
            outbox=Outbox(app, translate),
            tasks=tasks,
        )
    )


if __name__ == "__main__":
    main()
