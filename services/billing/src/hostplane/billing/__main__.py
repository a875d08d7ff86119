"""`python -m hostplane.billing`: run the billing service."""

import uvloop

from hostplane.billing.adapters.due_work import DueWork
from hostplane.billing.bootstrap import bootstrap, translator
from hostplane.billing.entrypoints.clock import BillingTimer
from hostplane.billing.entrypoints.consumers import subscribe
from hostplane.billing.settings import Settings
from hostplane.messaging.service import Outbox, observe, run_service


def main() -> None:
    settings = Settings()
    observe("billing", settings)
    app = bootstrap(settings)
    app.ensure_first_admin(
        settings.default_tenant_name, settings.admin_email, settings.admin_password
    )
    timer = BillingTimer(
        settings,
        DueWork(settings.database_url),
        app.clock,
        settings.dunning,
        settings.billing_tick_s,
    )
    uvloop.run(
        run_service(
            "billing",
            settings,
            app,
            subscribe,
            outbox=Outbox(app, translator(app)),
            tasks=[timer.run],
        )
    )


if __name__ == "__main__":
    main()
