"""`python -m hostplane.dns`: run the DNS service."""

from typing import Any

import uvloop

from hostplane.dns.adapters.publishing import translate
from hostplane.dns.bootstrap import bootstrap
from hostplane.dns.entrypoints.consumers import subscribe
from hostplane.dns.settings import Settings
from hostplane.messaging.service import observe, run_service


def main() -> None:
    settings = Settings()
    observe("dns", settings)
    app = bootstrap(settings)
    subscribe_any: Any = subscribe
    uvloop.run(run_service("dns", settings, app, translate, subscribe_any))


if __name__ == "__main__":
    main()
