"""`python -m hostplane.gateway`: serve the REST API with uvicorn."""

import socket

import uvicorn

from hostplane.gateway.entrypoints.app import create_app
from hostplane.gateway.settings import Settings
from hostplane.messaging.service import observe


def listening_socket(settings: Settings) -> socket.socket:
    """The API's socket; with `GATEWAY_REUSE_PORT`, one that other replicas may bind too."""
    sock = socket.socket(socket.AF_INET6 if ":" in settings.gateway_host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if settings.gateway_reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((settings.gateway_host, settings.gateway_port))
    sock.set_inheritable(True)
    return sock


def main() -> None:
    settings = Settings()
    observe("gateway", settings)
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[listening_socket(settings)])


if __name__ == "__main__":
    main()
