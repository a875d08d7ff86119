"""`python -m hostplane.provisioning`: run the provisioning service."""

from typing import Any

import uvloop

from hostplane.messaging.service import observe, run_service
from hostplane.provisioning.adapters.publishing import translate
from hostplane.provisioning.bootstrap import bootstrap
from hostplane.provisioning.entrypoints.consumers import subscribe
from hostplane.provisioning.settings import Settings


def main() -> None:
    settings = Settings()
    observe("provisioning", settings)
    app = bootstrap(settings)
    subscribe_any: Any = subscribe
    uvloop.run(run_service("provisioning", settings, app, translate, subscribe_any))


if __name__ == "__main__":
    main()
