"""`python -m hostplane.dns`: run the DNS service."""

import uvloop

from hostplane.dns.adapters.publishing import translate
from hostplane.dns.bootstrap import bootstrap
from hostplane.dns.entrypoints.consumers import subscribe
from hostplane.dns.settings import Settings
from hostplane.messaging.service import Outbox, observe, run_service


def main() -> None:
    settings = Settings()
    observe("dns", settings)
    app = bootstrap(settings)
    uvloop.run(run_service("dns", settings, app, subscribe, outbox=Outbox(app, translate)))


if __name__ == "__main__":
    main()
