"""`python -m hostplane.support`: run the support service."""

import uvloop

from hostplane.messaging.service import Outbox, observe, run_service
from hostplane.support.bootstrap import bootstrap, translator
from hostplane.support.entrypoints.consumers import subscribe
from hostplane.support.settings import Settings


def main() -> None:
    settings = Settings()
    observe("support", settings)
    app = bootstrap(settings)
    uvloop.run(
        run_service("support", settings, app, subscribe, outbox=Outbox(app, translator(app)))
    )


if __name__ == "__main__":
    main()
