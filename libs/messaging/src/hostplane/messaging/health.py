"""`/health/live` and `/health/ready`: what Docker, compose and Kubernetes ask each process.

- **Live**: the service's event loop answers, and its essential tasks (the outbox relay,
  timers) are still running. A process that fails this is restarted.
- **Ready**: live, every Kafka consumer has joined its group and got its assignment (its
  partitions sought to their stored positions; an empty share counts, as with more
  replicas than partitions), and PostgreSQL answers `SELECT 1` within two seconds.

Each answers 200 or 503 with a small JSON body naming every check and what failed. They are
served on the metrics listener (`METRICS_HOST`:`METRICS_PORT`, beside `/metrics`), and the
gateway serves them on its main listener too. Checks run on the listener's threads, never on
the event loop they watch. A process has one `Health` (`HEALTH`), which `run_service` fills in.
"""

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import prometheus_client
import psycopg

# A check answers None when good, otherwise what is wrong.
Check = Callable[[], str | None]
Environ = dict[str, Any]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]

LOOP_TIMEOUT_S = 5.0
DATABASE_TIMEOUT_S = 2


class Health:
    """The liveness and readiness checks of one process, by name."""

    def __init__(self) -> None:
        self._live: dict[str, Check] = {}
        # Until a service says what readiness means, it is not ready.
        self._ready: dict[str, Check] = {"service": lambda: "starting"}

    def live_when(self, name: str, check: Check) -> None:
        """Liveness (and so readiness) needs `check` to pass."""
        self._live[name] = check

    def ready_when(self, name: str, check: Check) -> None:
        """Readiness needs `check` to pass."""
        self._ready.pop("service", None)
        self._ready[name] = check

    def live(self) -> tuple[bool, dict[str, str]]:
        """Whether every liveness check passes, and what each said."""
        return _run(self._live)

    def ready(self) -> tuple[bool, dict[str, str]]:
        """Whether every liveness and readiness check passes, and what each said."""
        return _run(self._live | self._ready)


def _run(checks: dict[str, Check]) -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            problem = check()
        except Exception as error:  # a check that cannot tell is a failed one
            problem = f"{type(error).__name__}: {error}"
        results[name] = problem or "ok"
    return all(result == "ok" for result in results.values()), results


HEALTH = Health()


def loop_answers(loop: asyncio.AbstractEventLoop, timeout_s: float = LOOP_TIMEOUT_S) -> Check:
    """The event loop runs a callback within `timeout_s` (it is neither stopped nor blocked)."""

    def check() -> str | None:
        answered = threading.Event()
        try:
            loop.call_soon_threadsafe(answered.set)
        except RuntimeError:
            return "event loop closed"
        return None if answered.wait(timeout_s) else f"event loop blocked over {timeout_s:g} s"

    return check


def tasks_running(tasks: Iterable[asyncio.Task[None]]) -> Check:
    """None of `tasks` has ended (they live as long as the service)."""
    watched = list(tasks)

    def check() -> str | None:
        ended = [task.get_name() for task in watched if task.done()]
        return f"ended: {', '.join(ended)}" if ended else None

    return check


def database_answers(database_url: str, timeout_s: int = DATABASE_TIMEOUT_S) -> Check:
    """PostgreSQL answers `SELECT 1` on a connection of its own within `timeout_s`."""

    def check() -> str | None:
        try:
            with psycopg.connect(database_url, connect_timeout=timeout_s) as conn:
                conn.execute(f"SET statement_timeout = {timeout_s * 1000}")
                conn.execute("SELECT 1")
        except psycopg.Error as error:
            return f"unreachable: {type(error).__name__}"
        return None

    return check


def health_app(health: Health, metrics: Callable[..., Iterable[bytes]]) -> Callable[..., Any]:
    """A WSGI app: `/health/live`, `/health/ready`, and everything else to `metrics`."""
    probes = {"/health/live": health.live, "/health/ready": health.ready}

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        probe = probes.get(environ.get("PATH_INFO", ""))
        if probe is None:
            return metrics(environ, start_response)
        ok, checks = probe()
        body = json.dumps({"status": "ok" if ok else "failing", "checks": checks}).encode()
        status = "200 OK" if ok else "503 Service Unavailable"
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]

    return app


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Probes every few seconds are not worth a log line."""


def serve(host: str, port: int, health: Health = HEALTH) -> WSGIServer:
    """Serve `/metrics` (Prometheus) and the health endpoints on host:port, in a thread."""
    app = health_app(health, prometheus_client.make_wsgi_app())
    server_class = _Server6 if ":" in host else _Server
    server = make_server(host, port, app, server_class, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics-listener", daemon=True).start()
    return server
