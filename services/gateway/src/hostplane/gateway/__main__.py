"""`python -m hostplane.gateway`: serve the REST API with uvicorn."""

import os

import uvicorn

from hostplane.gateway.app import create_app
from hostplane.messaging.service import configure_logging


def main() -> None:
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))
    uvicorn.run(
        create_app(),
        host=os.environ.get("GATEWAY_HOST", "127.0.0.1"),
        port=int(os.environ.get("GATEWAY_PORT", "8080")),
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
