"""The whole stack as real processes: cloudsim and every service, on real Kafka and PostgreSQL.

Each stack gets its own database and its own topic prefix, so runs never see each other's
messages or rows, on a shared broker and cluster.
"""

import base64
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import psycopg
from aiokafka import TopicPartition
from hcloud import Client
from psycopg import sql

from hostplane.contracts.identity import instance_token
from hostplane.contracts.secrets import new_key
from hostplane.contracts.topics import Topic
from hostplane.messaging.leadership import holder
from tests.conftest import ROOT, Infra, wait_until

ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"
DOMAIN = "hostplane.test"
API_KEY = "e2e-whmcs-api-key"
HMAC_SECRET = "e2e-whmcs-hmac-secret"
JWT_SECRET = "e2e-jwt-secret-at-least-32-bytes-long"
SERVICES = ("metrics", "dns", "provisioning", "billing", "webhooks", "support", "gateway")
ADMIN_EMAIL = "admin@hostplane.test"
ADMIN_PASSWORD = "e2e-admin-password"
STRIPE_WEBHOOK_SECRET = "whsec_e2e"
# Where a stack places each region: Hetzner, and Tokyo on cloudsim's Proxmox cluster.
# Singapore is left out, so that one region of the contract's enum is not sold.
REGIONS = {
    "us-east": {"provider": "hetzner", "location": "ash", "datacenter": "ash-dc1"},
    "us-west": {"provider": "hetzner", "location": "hil", "datacenter": "hil-dc1"},
    "eu-frankfurt": {"provider": "hetzner", "location": "fsn1", "datacenter": "fsn1-dc14"},
    "eu-helsinki": {"provider": "hetzner", "location": "hel1", "datacenter": "hel1-dc2"},
    "jp-tokyo": {"provider": "proxmox", "nodes": ["pve1", "pve2", "pve3"], "datacenter": "tyo1"},
}
UNSOLD_REGION = "sg-singapore"


@dataclass(frozen=True)
class ProviderPair:
    """A server provider and a DNS provider, and the region (and settings) that use them."""

    region: str
    env: dict[str, str]


PROVIDER_PAIRS = {
    "hetzner+cloudflare": ProviderPair("eu-frankfurt", {"DNS_PROVIDER": "cloudflare"}),
    "proxmox+powerdns": ProviderPair("jp-tokyo", {"DNS_PROVIDER": "powerdns"}),
}


@dataclass(frozen=True)
class Server:
    """A server at whichever provider, as the provider reports it."""

    provider: str
    id: int
    running: bool
    size: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Launch:
    """How a process of the stack is started (again)."""

    module: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


class Processes:
    """The stack's processes by name, so a test can kill one and start it again.

    A replica is named after its service and number (`provisioning-2`); the first is the
    service's own name.
    """

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.launches: dict[str, Launch] = {}

    def start(
        self, name: str, *args: str, module: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        """Start `name`; as it was started before unless told otherwise."""
        launch = self.launches.get(name, Launch(module or name))
        if args or module or env:
            launch = Launch(module or name, args, tuple((env or {}).items()))
        self.launches[name] = launch
        log = (self.logs / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", f"hostplane.{launch.module}", *launch.args],
            env={**self.env, **dict(launch.env)},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )

    def revive(self) -> list[str]:
        """Start again every process that exited; returns their names."""
        exited = [name for name, process in self.running.items() if process.poll() is not None]
        for name in exited:
            self.start(name)
        return exited

    def replicas(self, service: str) -> list[str]:
        """The names of a service's running replicas."""
        return [name for name, launch in self.launches.items() if launch.module == service]

    def named(self, pid: int) -> str | None:
        """The name of the running process with this process id."""
        return next((n for n, p in self.running.items() if p.pid == pid), None)

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        process = self.running.pop(name)
        process.kill()
        process.wait(timeout=10)

    def stop_all(self) -> None:
        # Services first, then the providers they call.
        for process in reversed(list(self.running.values())):
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


@dataclass(frozen=True)
class Stack:
    gateway_url: str
    cloudsim_url: str
    database_url: str
    kafka_bootstrap_servers: str
    topic_prefix: str
    processes: Processes
    instance_token_secret: str
    # Every gateway replica's URL; the first is `gateway_url`.
    gateway_urls: tuple[str, ...] = ()
    dns_provider: str = "cloudflare"
    # The mPanel surface (seed 002) of the first gateway: its own listener.
    mpanel_url: str = ""
    # Billing's clock: an instant (or +offset) written here is the time for every replica.
    clock_file: Path | None = None
    # The CloudVPS Pro surface (seed 003) of the first gateway: its own listener.
    cloudvps_url: str = ""

    def set_clock(self, at: datetime) -> None:
        """Move billing's clock to `at` (every replica reads the same file)."""
        assert self.clock_file is not None
        self.clock_file.write_text(at.isoformat())

    def partitions(self, topics: Iterable[Topic]) -> list[TopicPartition]:
        """Every partition of `topics`, under this stack's prefix."""
        return [
            TopicPartition(self.topic_prefix + t.name, p)
            for t in topics
            for p in range(t.partitions)
        ]

    def instance_token(self, instance_id: str) -> str:
        """The bearer token an instance finds in its user data."""
        return instance_token(self.instance_token_secret, uuid.UUID(instance_id))

    def hetzner(self) -> Client:
        """The real hcloud client, pointed at cloudsim."""
        return Client(
            token="e2e", api_endpoint=f"{self.cloudsim_url}/hetzner/v1", poll_interval=0.05
        )

    def cloudflare_records(self, name: str) -> list[dict[str, object]]:
        response = httpx.get(
            f"{self.cloudsim_url}/cloudflare/client/v4/zones/{ZONE_ID}/dns_records",
            params={"name": name},
            headers={"Authorization": "Bearer e2e"},
        )
        response.raise_for_status()
        records: list[dict[str, object]] = response.json()["result"]
        return records

    def servers(self, instance_id: str) -> list[Server]:
        """The instance's servers at both providers (by label at Hetzner, by name at Proxmox)."""
        at_hetzner = [
            Server("hetzner", s.id, s.status == "running", s.server_type.name)
            for s in self.hetzner().servers.get_all(
                label_selector=f"hostplane.io/instance-id={instance_id}"
            )
        ]
        at_proxmox = [
            Server(
                "proxmox",
                vm["vmid"],
                vm["status"] == "running",
                f"{vm['config'].get('cores')}c-{vm['config'].get('memory')}m",
            )
            for vm in self.admin("GET", "/proxmox/vms").json()
            if vm["config"].get("name") == f"hp-{instance_id}"
        ]
        return at_hetzner + at_proxmox

    def dns_records(self, name: str) -> list[tuple[str, str, str]]:
        """(record id, type, content) of `name` at the stack's DNS provider."""
        if self.dns_provider == "powerdns":
            return [
                (f"{rrset['name']}/{rrset['type']}", rrset["type"], record["content"])
                for rrset in self.admin("GET", f"/powerdns/records?name={name}").json()
                for record in rrset["records"]
            ]
        return [
            (str(r["id"]), str(r["type"]), str(r["content"])) for r in self.cloudflare_records(name)
        ]

    def admin(self, method: str, path: str, json: object = None) -> httpx.Response:
        response = httpx.request(method, f"{self.cloudsim_url}/_admin{path}", json=json)
        response.raise_for_status()
        return response


def fresh_database(base_url: str, name: str) -> str:
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return base_url.rsplit("/", 1)[0] + "/" + name


def drop_database(base_url: str, name: str) -> None:
    """Drop a stack's database, its connections with it.

    An autovacuum worker busy in it is the server's own and cannot be terminated by the
    stack's role: then the drop is tried again until the worker is done.
    """

    def dropped() -> bool:
        try:
            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        except psycopg.errors.InsufficientPrivilege:
            return False
        return True

    wait_until(dropped, 60, 0.5, what=f"database {name} to be dropped")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def read_models_exist(database_url: str) -> bool:
    """Whether the metrics service has created the read models the gateway answers from."""
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT to_regclass('views.instances')").fetchone() != (None,)


def outbox_leader(stack: Stack, service: str) -> str | None:
    """The process name of the replica whose outbox relay publishes for `service`."""
    name = holder(stack.database_url, f"outbox:{service}")
    return stack.processes.named(int(name.rsplit(":", 1)[1])) if name else None


def kill_outbox_leader(stack: Stack, service: str) -> float:
    """kill -9 the replica leading `service`'s outbox, and start it again once another
    replica leads; returns the seconds between the kill and the takeover."""
    killed = wait_until(lambda: outbox_leader(stack, service), 30, what=f"a {service} leader")
    stack.processes.kill(killed)
    started = time.monotonic()
    wait_until(
        lambda: (now := outbox_leader(stack, service)) and now != killed,
        30,
        0.02,
        what=f"another {service} replica to lead its outbox",
    )
    took = time.monotonic() - started
    stack.processes.start(killed)
    return took


def _own_ports(gateway_port: int) -> dict[str, str]:
    """A gateway replica's listeners: seed 000's on `gateway_port`, the others anywhere free."""
    return {
        "GATEWAY_PORT": str(gateway_port),
        "MPANEL_PORT": str(free_port()),
        "CLOUDVPS_PORT": str(free_port()),
    }


@contextmanager
def another_gateway(stack: Stack, name: str, **env: str) -> Iterator[str]:
    """A second gateway process on `stack` with `env` on top of the stack's; yields its URL."""
    port = free_port()
    stack.processes.start(
        name,
        module="gateway",
        env={**_own_ports(port), **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{url}/api/health"), 30, what=name)
        yield url
    finally:
        stack.processes.kill(name)


@contextmanager
def running_stack(
    infra: Infra, label: str = "e2e", replicas: int = 1, **overrides: str
) -> Iterator[Stack]:
    """Start cloudsim and `replicas` of each service; `overrides` are extra environment
    variables. Gateway replicas listen on ports of their own."""
    run_id = uuid.uuid4().hex[:8]
    database = f"hostplane_{label}_{run_id}"
    database_url = fresh_database(infra.database_url, database)
    gateway_port, cloudsim_port, mpanel_port = free_port(), free_port(), free_port()
    cloudvps_port = free_port()
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    mpanel_url = f"http://127.0.0.1:{mpanel_port}"
    cloudvps_url = f"http://127.0.0.1:{cloudvps_port}"
    logs = ROOT / ".local" / "logs" / label
    logs.mkdir(parents=True, exist_ok=True)
    clock_file = logs / f"billing-clock-{run_id}"
    cloudsim_url = f"http://127.0.0.1:{cloudsim_port}"
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "REDIS_URL": infra.redis_url,
        "TOPIC_PREFIX": f"{label}-{run_id}.",
        "HETZNER_API_TOKEN": "e2e",
        "HETZNER_API_ENDPOINT": f"{cloudsim_url}/hetzner/v1",
        "PROVIDER_POLL_INTERVAL_S": "0.05",
        "CLOUDFLARE_API_TOKEN": "e2e",
        "CLOUDFLARE_ZONE_ID": ZONE_ID,
        "CLOUDFLARE_DOMAIN": DOMAIN,
        "CLOUDFLARE_API_BASE": f"{cloudsim_url}/cloudflare/client/v4",
        "WHMCS_API_KEY": API_KEY,
        "WHMCS_HMAC_SECRET": HMAC_SECRET,
        "JWT_SECRET": JWT_SECRET,
        "INSTANCE_TOKEN_SECRET": f"e2e-{run_id}",
        "PUBLIC_API_URL": gateway_url,
        "GATEWAY_PORT": str(gateway_port),
        "JOB_WAIT_S": "20",
        "METRICS_INTERVAL_S": "0.5",
        "HETZNER_REQUESTS_PER_HOUR": "3600000",
        "CLOUDFLARE_REQUESTS_PER_5_MINUTES": "1200000",
        "CONFIG_SECRETS_KEY": new_key(),
        "EVENT_STORE_CIPHER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "RATE_LIMIT_API_KEY": "100000/minute",
        "RATE_LIMIT_USER": "100000/minute",
        "RATE_LIMIT_IP": "100000/minute",
        "RATE_LIMIT_CLOUDVPS_IP": "100000/15 minutes",
        "CLOUDSIM_BOOT_DELAY": "0.3",
        "CLOUDSIM_ACTION_DELAY": "0.05",
        "CLOUDSIM_CLOUDFLARE_ZONES": f"{ZONE_ID}:{DOMAIN}",
        "REGIONS": json.dumps(REGIONS),
        "PROXMOX_API_URL": f"{cloudsim_url}/proxmox",
        "PROXMOX_TOKEN_ID": "hostplane@pve!e2e",
        "PROXMOX_TOKEN_SECRET": "e2e",
        "PROXMOX_VERIFY_TLS": "false",
        "POWERDNS_API_URL": f"{cloudsim_url}/powerdns",
        "POWERDNS_API_KEY": "e2e",
        "POWERDNS_ZONE": DOMAIN,
        "CLOUDSIM_POWERDNS_ZONES": DOMAIN,
        "MPANEL_PORT": str(mpanel_port),
        "CLOUDVPS_PORT": str(cloudvps_port),
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "DEFAULT_TENANT_NAME": "Hostplane",
        "STRIPE_API_BASE": f"{cloudsim_url}/stripe",
        "STRIPE_SECRET_KEY": "sk_test_e2e",
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "CLOUDSIM_STRIPE_SECRET_KEY": "sk_test_e2e",
        "CLOUDSIM_STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "CLOUDSIM_STRIPE_WEBHOOK_URL": f"{mpanel_url}/api/payments/stripe/webhook",
        "BILLING_TICK_S": "0.5",
        "BILLING_CLOCK_FILE": str(clock_file),
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "WEBHOOKS_POLL_S": "0.2",
        **overrides,
    }
    processes = Processes(env, logs)
    try:
        processes.start("cloudsim", "--host", "127.0.0.1", "--port", str(cloudsim_port))
        gateway_urls = [gateway_url]
        for service in SERVICES:
            processes.start(service)
        for n in range(2, replicas + 1):
            for service in SERVICES:
                own_port = {}
                if service == "gateway":
                    port = free_port()
                    gateway_urls.append(f"http://127.0.0.1:{port}")
                    own_port = _own_ports(port)
                processes.start(f"{service}-{n}", module=service, env=own_port)
        wait_until(lambda: answers(f"{cloudsim_url}/_admin/health"), 30, what="cloudsim")
        for url in gateway_urls:
            wait_until(lambda url=url: answers(f"{url}/api/health"), 60, what="the gateways")
        wait_until(lambda: read_models_exist(database_url), 60, what="the read models")
        for name, process in processes.running.items():
            assert process.poll() is None, f"{name} exited; see {logs}"
        yield Stack(
            gateway_url,
            cloudsim_url,
            database_url,
            infra.kafka_bootstrap_servers,
            f"{label}-{run_id}.",
            processes,
            env["INSTANCE_TOKEN_SECRET"],
            tuple(gateway_urls),
            env.get("DNS_PROVIDER", "cloudflare"),
            mpanel_url,
            clock_file,
            cloudvps_url,
        )
    finally:
        processes.stop_all()
        drop_database(infra.database_url, database)
