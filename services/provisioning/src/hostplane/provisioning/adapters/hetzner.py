"""Hetzner Cloud through the official `hcloud` client: a `ServerProvider`.

Every call is safe to repeat: a server is named after its instance and labelled with its id,
so a create whose answer was lost finds the server on its retry; deleting is "make sure it
is gone". Calls are paced to the project's rate limit (its `requests` session is handed in).
"""

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import requests
from hcloud import APIException, Client
from hcloud.actions import ActionFailedException, ActionTimeoutException, BoundAction
from hcloud.images import Image
from hcloud.locations import Location
from hcloud.server_types import ServerType
from hcloud.servers import BoundServer
from hcloud.ssh_keys import SSHKey

from hostplane.contracts.catalog import HetznerRegion, PlanSpec, Provider
from hostplane.contracts.telemetry import ServerUsage
from hostplane.providers.budget import Budget, pace_requests
from hostplane.providers.errors import ProviderError
from hostplane.providers.retrying import retrying
from hostplane.provisioning.adapters.provider import (
    BootState,
    ConsoleAccess,
    CreatedServer,
    ServerSpec,
)
from hostplane.provisioning.domain.instance import ServerFacts

log = logging.getLogger(__name__)

INSTANCE_LABEL = "hostplane.io/instance-id"
MANAGED_LABEL = "hostplane.io/managed"
# The last minutes of metrics read per sample; the newest point is kept.
USAGE_WINDOW = timedelta(minutes=5)
# Hetzner's console credentials are good for a minute of connecting.
CONSOLE_LIFE = timedelta(minutes=1)
ACTIONS_PER_REQUEST = 50

TRANSIENT_CODES = {
    "rate_limit_exceeded",
    "conflict",
    "locked",
    "server_error",
    "unavailable",
    "timeout",
    "bad_gateway",
}


def is_transient(error: BaseException) -> bool:
    """Errors worth another try: throttling, 5xx, timeouts, dropped connections."""
    if isinstance(error, APIException):
        code = error.code
        return code in TRANSIENT_CODES or (isinstance(code, int) and code >= 500)
    return isinstance(error, requests.ConnectionError | requests.Timeout)


provider_call = retrying("hetzner", is_transient)


def server_name(instance_id: UUID) -> str:
    return f"hp-{instance_id}"


def _last(series: dict[str, Any], *names: str) -> float:
    """The newest value of the named series, summed (0 when the provider has none yet)."""
    total = 0.0
    for name in names:
        values = series.get(name, {}).get("values") or []
        if values:
            total += float(values[-1][1])
    return total


class HetznerProvider:
    def __init__(
        self,
        token: str,
        endpoint: str,
        poll_interval_s: float = 0.25,
        boot_timeout_s: float = 600,
        timeout_s: float = 30.0,
        budget: Budget | None = None,
    ) -> None:
        self._poll_interval_s = poll_interval_s
        self._boot_timeout_s = boot_timeout_s
        self._client = Client(
            token=token,
            api_endpoint=endpoint,
            application_name="hostplane",
            poll_interval=poll_interval_s,
            poll_max_retries=2400,
            timeout=(3.05, timeout_s),
        )
        pace_requests(endpoint, "hetzner", budget)

    @property
    def name(self) -> Provider:
        return "hetzner"

    @property
    def poll_interval_s(self) -> float:
        return self._poll_interval_s

    def ensure_server(self, spec: ServerSpec) -> CreatedServer:
        """Ask for the instance's server (once); it boots while the caller goes on."""
        assert isinstance(spec.region, HetznerRegion)
        try:
            server, action = self._create_once(spec)
        except APIException as error:
            raise ProviderError("SERVER_CREATE_FAILED", f"{error.code}: {error.message}") from error
        except requests.RequestException as error:
            raise ProviderError("PROVIDER_UNREACHABLE", str(error)) from error
        assert server.id is not None and server.server_type is not None
        assert server.public_net is not None and server.public_net.ipv4 is not None
        facts = ServerFacts(
            provider="hetzner",
            server_id=server.id,
            server_type=str(server.server_type.name),
            datacenter=spec.region.datacenter,
            ip_address=server.public_net.ipv4.ip,
        )
        return CreatedServer(facts, str(action.id) if action is not None else None)

    def boot_states(self, boots: Sequence[str]) -> list[BootState]:
        """The state of the create actions, up to 50 in one request."""
        states: list[BootState] = []
        try:
            for start in range(0, len(boots), ACTIONS_PER_REQUEST):
                states += self._action_states(list(boots[start : start + ACTIONS_PER_REQUEST]))
        except (APIException, requests.RequestException) as error:
            raise ProviderError("PROVIDER_UNREACHABLE", str(error)) from error
        return states

    @provider_call
    def _action_states(self, boots: list[str]) -> list[BootState]:
        answer = self._client.request(
            "GET", "/actions", params={"id": [int(b) for b in boots], "per_page": len(boots)}
        )
        return [
            BootState(str(a["id"]), a["status"], (a.get("error") or {}).get("message"))
            for a in answer["actions"]
        ]

    def wait_started(self, instance_id: UUID) -> None:
        """Block until the instance's server runs (for a server found, not created, by us)."""
        try:
            self._wait_running(self._require(instance_id))
        except (ActionFailedException, ActionTimeoutException) as error:
            raise ProviderError("SERVER_CREATE_FAILED", str(error)) from error
        except APIException as error:
            raise ProviderError("SERVER_CREATE_FAILED", f"{error.code}: {error.message}") from error

    def ensure_deleted(self, instance_id: UUID) -> bool:
        """Make sure no server of the instance exists; True if one was deleted."""
        deleted = False
        for server in self._find_all(instance_id):
            self._wait(self._delete(server))
            deleted = True
        return deleted

    def power_off(self, instance_id: UUID) -> None:
        """Stop the instance's server (already off is fine)."""
        server = self._require(instance_id)
        if server.status != "off":
            self._wait(self._action(server, "power_off"))

    def power_on(self, instance_id: UUID) -> None:
        """Start the instance's server (already running is fine)."""
        server = self._require(instance_id)
        if server.status != "running":
            self._wait(self._action(server, "power_on"))

    def reboot(self, instance_id: UUID) -> None:
        """Restart the instance's server (a soft reboot through ACPI)."""
        self._wait(self._action(self._require(instance_id), "reboot"))

    def resize(self, instance_id: UUID, plan: PlanSpec, start_after: bool) -> None:
        """Move the server to the plan's type: stop it, grow its disk, start it if asked."""
        server = self._require(instance_id)
        if server.server_type is not None and server.server_type.name != plan.server_type:
            if server.status != "off":
                self._wait(self._action(server, "power_off"))
            try:
                self._wait(self._change_type(server, plan.server_type))
            except APIException as error:
                raise ProviderError("RESIZE_FAILED", f"{error.code}: {error.message}") from error
        if start_after:
            self.power_on(instance_id)

    def usage(self) -> list[ServerUsage]:
        """One list call finds every Hostplane server (traffic counters included), then one
        metrics call per running server reads its last minutes of CPU, disk and network."""
        now = datetime.now(UTC)
        return [
            self._usage(server, now)
            for server in self._managed()
            if server.status == "running" and INSTANCE_LABEL in (server.labels or {})
        ]

    def console(self, instance_id: UUID) -> ConsoleAccess:
        """Hetzner's request-console action: a websocket URL and a VNC password."""
        answer = self._request_console(self._require(instance_id))
        return ConsoleAccess(
            url=answer.wss_url,
            password=answer.password,
            expires_at=datetime.now(UTC) + CONSOLE_LIFE,
        )

    @provider_call
    def _request_console(self, server: BoundServer) -> Any:
        return server.request_console()

    @provider_call
    def _managed(self) -> list[BoundServer]:
        return self._client.servers.get_all(label_selector=f"{MANAGED_LABEL}=true")

    @provider_call
    def _usage(self, server: BoundServer, now: datetime) -> ServerUsage:
        metrics = server.get_metrics(
            type=["cpu", "disk", "network"], start=now - USAGE_WINDOW, end=now, step=60
        ).metrics.time_series
        return ServerUsage(
            instance_id=UUID((server.labels or {})[INSTANCE_LABEL]),
            ts=now,
            provider="hetzner",
            cpu_percent=_last(metrics, "cpu"),
            disk_bps=_last(metrics, "disk.0.bandwidth.read", "disk.0.bandwidth.write"),
            net_in_bps=_last(metrics, "network.0.bandwidth.in"),
            net_out_bps=_last(metrics, "network.0.bandwidth.out"),
            traffic_out_gb=(server.outgoing_traffic or 0) / 1e9,
            traffic_gb=(server.included_traffic or 0) / 1e9,
        )

    @provider_call
    def _change_type(self, server: BoundServer, server_type: str) -> BoundAction:
        return server.change_type(ServerType(name=server_type), upgrade_disk=True)

    @provider_call
    def _find_all(self, instance_id: UUID) -> list[BoundServer]:
        return self._client.servers.get_all(label_selector=f"{INSTANCE_LABEL}={instance_id}")

    def _find(self, instance_id: UUID) -> BoundServer | None:
        servers = self._find_all(instance_id)
        return servers[0] if servers else None

    def _require(self, instance_id: UUID) -> BoundServer:
        server = self._find(instance_id)
        if server is None:
            raise ProviderError("SERVER_NOT_FOUND", f"no server for instance {instance_id}")
        return server

    def _create_once(self, spec: ServerSpec) -> tuple[BoundServer, BoundAction | None]:
        try:
            return self._create(spec)
        except APIException as error:
            # A create whose answer was lost, retried: the server exists under its name.
            found = self._find(spec.instance_id) if error.code == "uniqueness_error" else None
            if found is None:
                raise
            return found, None

    @provider_call
    def _create(self, spec: ServerSpec) -> tuple[BoundServer, BoundAction]:
        assert isinstance(spec.region, HetznerRegion)
        response = self._client.servers.create(
            name=server_name(spec.instance_id),
            server_type=ServerType(name=spec.plan.server_type),
            image=Image(name=spec.image),
            location=Location(name=spec.region.location),
            ssh_keys=[_ssh_key(key) for key in spec.ssh_key_ids],
            user_data=spec.user_data,
            labels={INSTANCE_LABEL: str(spec.instance_id), MANAGED_LABEL: "true"},
        )
        return response.server, response.action

    @provider_call
    def _delete(self, server: BoundServer) -> BoundAction | None:
        try:
            return server.delete()
        except APIException as error:
            if error.code == "not_found":
                return None
            raise

    @provider_call
    def _action(self, server: BoundServer, name: str) -> BoundAction:
        action: BoundAction = getattr(server, name)()
        return action

    @provider_call
    def _reload(self, server: BoundServer) -> BoundServer:
        assert server.id is not None
        return self._client.servers.get_by_id(server.id)

    def _wait(self, action: BoundAction | None) -> None:
        if action is not None:
            provider_call(action.wait_until_finished)()

    def _wait_running(self, server: BoundServer) -> BoundServer:
        # A server found by a retried step may still be booting from the first attempt.
        deadline = time.monotonic() + self._boot_timeout_s
        while server.status != "running":
            if server.status == "off" or time.monotonic() > deadline:
                raise ProviderError("SERVER_CREATE_FAILED", f"server {server.id} did not start")
            action = self._running_action(server)
            if action is None:
                time.sleep(self._poll_interval_s)
            self._wait(action)
            server = self._reload(server)
        return server

    @provider_call
    def _running_action(self, server: BoundServer) -> BoundAction | None:
        actions = server.get_actions(status=["running"])
        return actions[0] if actions else None


def _ssh_key(key: str) -> SSHKey:
    return SSHKey(id=int(key)) if key.isdigit() else SSHKey(name=key)
