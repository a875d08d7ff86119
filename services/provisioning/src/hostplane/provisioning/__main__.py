"""`python -m hostplane.provisioning`: run the provisioning service."""

import uvloop

from hostplane.messaging.service import Outbox, observe, run_service
from hostplane.provisioning.adapters.publishing import translate
from hostplane.provisioning.bootstrap import bootstrap
from hostplane.provisioning.entrypoints.consumers import subscribe
from hostplane.provisioning.settings import Settings


def main() -> None:
    settings = Settings()
    observe("provisioning", settings)
    app = bootstrap(settings)
    uvloop.run(run_service("provisioning", settings, app, subscribe, outbox=Outbox(app, translate)))


if __name__ == "__main__":
    main()
