"""cloudsim served by a real uvicorn on a free port, driven by the real clients."""

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from hcloud import Client
from proxmoxer import ProxmoxResource
from proxmoxer.backends import https

from hostplane.cloudsim.app import create_app

ZONE = "023e105f4ecef8ad9ca31a8372d0c353"


class Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # runs in a thread
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: object) -> Iterator[str]:
    port = free_port()
    server = Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "cloudsim did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def cloudsim_url() -> Iterator[str]:
    env = {"CLOUDSIM_BOOT_DELAY": "0.1", "CLOUDSIM_ACTION_DELAY": "0.05"}
    yield from serve(create_app(env))


@pytest.fixture(autouse=True)
def reset(cloudsim_url: str) -> None:
    httpx.post(f"{cloudsim_url}/_admin/reset").raise_for_status()


@pytest.fixture
def hetzner(cloudsim_url: str) -> Client:
    return Client(token="t", api_endpoint=f"{cloudsim_url}/hetzner/v1", poll_interval=0.02)


@pytest.fixture
def cloudflare(cloudsim_url: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{cloudsim_url}/cloudflare/client/v4/zones/{ZONE}",
        headers={"Authorization": "Bearer t"},
    )


@pytest.fixture
def powerdns(cloudsim_url: str) -> httpx.Client:
    """PowerDNS's API on server `localhost`, with an API key (cloudsim takes any by default)."""
    return httpx.Client(
        base_url=f"{cloudsim_url}/powerdns/api/v1/servers/localhost",
        headers={"X-API-Key": "t"},
    )


@pytest.fixture
def proxmox(cloudsim_url: str) -> ProxmoxResource:
    """proxmoxer with an API token, on cloudsim's plain http under `/proxmox`: its https
    backend lends the session and serializer (it builds only `https://` URLs itself)."""
    backend = https.Backend(
        host="127.0.0.1", user="hostplane@pve", token_name="tests", token_value="s3cret"
    )
    return ProxmoxResource(
        base_url=f"{cloudsim_url}/proxmox/api2/json",
        session=backend.get_session(),
        serializer=backend.get_serializer(),
    )


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/ready")
    async def ready(request: Request) -> dict[str, bool]:
        received.append(
            {"auth": request.headers.get("authorization"), "body": await request.json()}
        )
        return {"acknowledged": True}

    for url in serve(app):
        yield url, received
