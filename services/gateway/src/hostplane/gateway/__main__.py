"""`python -m hostplane.gateway`: serve every REST surface with uvicorn, in one process and
one event loop on one wiring (one Kafka producer, one PostgreSQL pool): seed 000's on
GATEWAY_HOST:GATEWAY_PORT, mPanel's on MPANEL_HOST:MPANEL_PORT and CloudVPS's on
CLOUDVPS_HOST:CLOUDVPS_PORT (port 0: that surface is not served)."""

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from hostplane.gateway import bootstrap
from hostplane.gateway.bootstrap import Gateway
from hostplane.gateway.entrypoints.app import create_app
from hostplane.gateway.entrypoints.cloudvps.app import create_cloudvps_app
from hostplane.gateway.entrypoints.mpanel.app import create_mpanel_app
from hostplane.gateway.settings import Settings
from hostplane.messaging.service import observe

STARTUP_FAILURE = 3


def listening_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    """A listener's socket; with `GATEWAY_REUSE_PORT`, one that other replicas may bind too."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class Listener(uvicorn.Server):
    """A uvicorn server that leaves signals to the process: several share one, and each
    would otherwise take the signal handlers from the one before."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class SharedWiring:
    """The one gateway every app's lifespan serves, wired before any of them starts."""

    gateway: Gateway | None = None

    @contextlib.asynccontextmanager
    async def __call__(self, _: Settings) -> AsyncIterator[Gateway]:
        assert self.gateway is not None, "wired before the listeners start"
        yield self.gateway


def _listener(app: FastAPI) -> Listener:
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    return Listener(config)


def _stop_on_signals(listeners: list[Listener]) -> None:
    """SIGINT or SIGTERM stops every listener gracefully; a second SIGINT at once."""

    def stop(sig: signal.Signals) -> None:
        for listener in listeners:
            if listener.should_exit and sig == signal.SIGINT:
                listener.force_exit = True
            listener.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig)


async def serve(
    settings: Settings, shared: SharedWiring, listening: list[tuple[Listener, socket.socket]]
) -> bool:
    """Wire the gateway, then serve every listener until a signal, or until one of them
    stops; whether all of them started."""
    listeners = [listener for listener, _ in listening]

    async def one(listener: Listener, sock: socket.socket) -> None:
        try:
            await listener.serve(sockets=[sock])
        finally:
            for other in listeners:
                other.should_exit = True

    async with bootstrap.running(settings) as gateway:
        shared.gateway = gateway
        _stop_on_signals(listeners)
        await asyncio.gather(*(one(listener, sock) for listener, sock in listening))
    return all(listener.started for listener in listeners)


def main() -> None:
    settings = Settings()
    observe("gateway", settings)
    shared, counter = SharedWiring(), bootstrap.hit_counter(settings)
    reuse = settings.gateway_reuse_port
    listening = [
        (
            _listener(create_app(settings, shared, counter)),
            listening_socket(settings.gateway_host, settings.gateway_port, reuse),
        )
    ]
    surfaces = [
        (create_mpanel_app, settings.mpanel_host, settings.mpanel_port),
        (create_cloudvps_app, settings.cloudvps_host, settings.cloudvps_port),
    ]
    for create, host, port in surfaces:
        if port:
            listening.append(
                (
                    _listener(create(settings, shared, counter)),
                    listening_socket(host, port, reuse),
                )
            )
    loop_factory = listening[0][0].config.get_loop_factory()
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        started = runner.run(serve(settings, shared, listening))
    if not started:
        sys.exit(STARTUP_FAILURE)


if __name__ == "__main__":
    main()
