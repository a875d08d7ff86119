"""`python -m hostplane.webhooks`: deliver Hostplane's events to the endpoints subscribed."""

import uvloop

from hostplane.messaging.service import observe, run_service
from hostplane.webhooks.bootstrap import bootstrap, dispatcher
from hostplane.webhooks.entrypoints.consumers import subscribe
from hostplane.webhooks.settings import Settings


def main() -> None:
    settings = Settings()
    observe("webhooks", settings)
    app = bootstrap(settings)
    uvloop.run(
        run_service("webhooks", settings, app, subscribe, tasks=[dispatcher(settings, app).run])
    )


if __name__ == "__main__":
    main()
