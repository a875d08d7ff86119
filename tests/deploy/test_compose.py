"""The compose stack (docker-compose.yml) from the project's images, as a user runs it.

`docker compose up -d --wait` with two replicas of provisioning and billing, then the
README's WHMCS order through the gateway's published port: active with a server at cloudsim,
suspended, deleted and the server gone. Then one provisioning replica is killed with SIGKILL
in the middle of a burst of orders, and every order still ends active with exactly one
server. `docker compose down -v` removes it all.

`make compose-test` runs it (HOSTPLANE_COMPOSE=1) with the images `make images` chose
(HOSTPLANE_IMAGES_ENV, default .local/docker/images.env). Elsewhere it is skipped, and so it
is when no Docker engine answers at DOCKER_HOST.
"""

import os
import random
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from dotenv import dotenv_values

from tests.conftest import ROOT, wait_until
from tests.e2e.whmcs import Whmcs
from tests.stack import free_port

COMPOSE_ENV = ROOT / "deploy/compose/compose.env"
INSTANCE_LABEL = "hostplane.io/instance-id"
UP_TIMEOUT_S = 600
REPLICAS = {"provisioning": 2, "billing": 2}

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]


def _why_not() -> str | None:
    """None when the compose stack can run here, else why it is skipped."""
    if os.environ.get("HOSTPLANE_COMPOSE") != "1":
        return "the compose stack runs with `make compose-test` (HOSTPLANE_COMPOSE=1)"
    try:
        answer = subprocess.run(
            ["docker", "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except FileNotFoundError:
        return "no docker command (deploy/docker/engine.sh up installs Debian's docker.io)"
    if answer.returncode != 0:
        where = os.environ.get("DOCKER_HOST", "Docker's default socket")
        return f"no Docker engine answers at {where}: {answer.stderr.strip()}"
    return None


@dataclass
class Compose:
    """One compose project of docker-compose.yml, with its published ports."""

    name: str
    images_env: Path
    ports: dict[str, int]
    logs: Path

    def run(
        self, *args: str, timeout: float = 120, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            **{f"HOSTPLANE_{k.upper()}_PORT": str(v) for k, v in self.ports.items()},
        }
        command = ["docker", "compose", "--project-name", self.name, "--file",
                   str(ROOT / "docker-compose.yml"), "--env-file", str(self.images_env), *args]  # fmt: skip
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def containers(self, service: str) -> list[str]:
        """The ids of the service's running containers."""
        return self.run("ps", "--quiet", "--status", "running", service).stdout.split()

    def leads_outbox(self, container: str) -> bool:
        """Whether the container's last word on its outbox relay is that it leads it."""
        logs = subprocess.run(
            ["docker", "logs", container], capture_output=True, text=True, check=True
        )
        said = [line for line in (logs.stdout + logs.stderr).splitlines() if "outbox:" in line]
        return bool(said) and said[-1].rstrip().endswith(": leading")

    def save_logs(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        logs = self.run("logs", "--no-color", "--timestamps", timeout=120, check=False)
        (self.logs / f"{self.name}.log").write_text(logs.stdout + logs.stderr)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['openclaw']}"

    @property
    def cloudsim_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['cloudsim']}"


@pytest.fixture(scope="module")
def compose() -> Iterator[Compose]:
    """The whole stack up and healthy, with two replicas of provisioning and billing."""
    why_not = _why_not()
    if why_not:
        pytest.skip(why_not)
    images_env = Path(os.environ.get("HOSTPLANE_IMAGES_ENV", ROOT / ".local/docker/images.env"))
    assert images_env.is_file(), f"{images_env} is missing: `make images` writes it"
    project = Compose(
        name=f"hostplane-test-{uuid.uuid4().hex[:8]}",
        images_env=images_env,
        ports={name: free_port() for name in ("openclaw", "mpanel", "cloudvps", "cloudsim")},
        logs=ROOT / ".local/logs/compose",
    )
    scale = [arg for service, n in REPLICAS.items() for arg in ("--scale", f"{service}={n}")]
    try:
        started = time.monotonic()
        up = project.run(
            "up", "--detach", "--wait", "--wait-timeout", str(UP_TIMEOUT_S), *scale,
            timeout=UP_TIMEOUT_S + 60, check=False,
        )  # fmt: skip
        if up.returncode != 0:
            project.save_logs()
            pytest.fail(f"docker compose up failed (logs in {project.logs}):\n{up.stderr[-4000:]}")
        print(f"compose: up and healthy in {time.monotonic() - started:.0f} s")
        yield project
    finally:
        project.save_logs()
        project.run("down", "--volumes", "--remove-orphans", "--timeout", "10", timeout=300)


@pytest.fixture(scope="module")
def whmcs(compose: Compose) -> Whmcs:
    """WHMCS signing with the compose stack's development secrets."""
    settings = dotenv_values(COMPOSE_ENV)
    return Whmcs(
        compose.gateway_url,
        secret=str(settings["WHMCS_HMAC_SECRET"]),
        api_key=str(settings["WHMCS_API_KEY"]),
    )


def order(hostname: str) -> dict[str, Any]:
    """The README's order, for a service and client of its own."""
    return {
        "whmcs_service_id": random.randint(1, 2**31 - 1),
        "whmcs_client_id": random.randint(1, 10**6),
        "plan": "starter",
        "region": "eu-frankfurt",
        "email": "owner@example.com",
        "hostname": hostname,
    }


def servers_by_instance(compose: Compose) -> dict[str, list[dict[str, Any]]]:
    """cloudsim's Hetzner servers, by the instance id on their label."""
    state = httpx.get(f"{compose.cloudsim_url}/_admin/state", timeout=10).json()
    servers: dict[str, list[dict[str, Any]]] = {}
    for server in state["servers"]:
        servers.setdefault(server["labels"].get(INSTANCE_LABEL, ""), []).append(server)
    return servers


def wait_for_status(whmcs: Whmcs, instance_id: str, status: str, timeout: float) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        answer = whmcs.get(instance_id)
        body: dict[str, Any] | None = answer.json() if answer.status_code == 200 else None
        return body if body and body["status"] == status else None

    return wait_until(probe, timeout, interval=0.5, what=f"instance {instance_id} to be {status}")


def test_each_service_runs_its_replicas_healthy(compose: Compose) -> None:
    for service in ("gateway", "dns", "metrics", "webhooks", "support", *REPLICAS):
        running = compose.containers(service)
        assert len(running) == REPLICAS.get(service, 1), (service, running)
        for container in running:
            health = subprocess.run(
                ["docker", "inspect", "--format", "{{.State.Health.Status}}", container],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            assert health.stdout.strip() == "healthy", service


def test_the_readme_order_becomes_active_is_suspended_and_deleted(
    compose: Compose, whmcs: Whmcs
) -> None:
    created = whmcs.create(**order(f"compose-{uuid.uuid4().hex[:6]}"))
    assert created.status_code == 201, created.text
    instance_id = created.json()["id"]
    assert created.json()["status"] == "provisioning"

    active = wait_for_status(whmcs, instance_id, "active", timeout=120)
    assert active["ip_address"]
    [server] = servers_by_instance(compose)[instance_id]
    assert server["id"] == active["server"]["hetzner_id"]
    assert server["status"] == "running"

    suspended = whmcs.request("POST", f"/api/instances/{instance_id}/suspend")
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    assert servers_by_instance(compose)[instance_id][0]["status"] == "off"

    deleted = whmcs.request("DELETE", f"/api/instances/{instance_id}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["status"] == "terminated"
    assert instance_id not in servers_by_instance(compose)


def test_a_replica_killed_mid_orders_loses_and_doubles_nothing(
    compose: Compose, whmcs: Whmcs
) -> None:
    # The replica leading the outbox relay dies: the other must take its partitions and the
    # relay over.
    victim, survivor = sorted(compose.containers("provisioning"), key=compose.leads_outbox)[::-1]
    assert compose.leads_outbox(victim), "no provisioning replica says it leads the outbox relay"
    ids: list[str] = []
    for n in range(16):
        if n == 8:
            # Half the orders are being provisioned (servers boot for 2 s): one replica dies.
            subprocess.run(["docker", "kill", "--signal", "KILL", victim], check=True)
        created = whmcs.create(**order(f"burst-{n}-{uuid.uuid4().hex[:6]}"))
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])

    assert compose.containers("provisioning") == [survivor]
    for instance_id in ids:
        wait_for_status(whmcs, instance_id, "active", timeout=180)
    servers = servers_by_instance(compose)
    assert {i: len(servers.get(i, [])) for i in ids} == dict.fromkeys(ids, 1)
