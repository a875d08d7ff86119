"""`python -m hostplane.gateway`: serve the REST API with uvicorn."""

import uvicorn

from hostplane.gateway.app import create_app
from hostplane.gateway.settings import Settings
from hostplane.messaging.service import observe


def main() -> None:
    settings = Settings()
    observe("gateway", settings)
    uvicorn.run(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
