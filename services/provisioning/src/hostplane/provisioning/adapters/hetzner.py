"""Hetzner Cloud through the official `hcloud` client: a `ServerProvider`.

Every call is safe to repeat: a server is named after its instance and labelled with its id,
so a create whose answer was lost finds the server on its retry; deleting is "make sure it
is gone". Calls are paced to the project's rate limit (its `requests` session is handed in).
"""

import functools
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
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
from hostplane.provisioning.adapters.cloudinit import ssh_keys_user_data
from hostplane.provisioning.adapters.hetzner_backups import HetznerBackups
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
# How long a server is given to shut down through ACPI before its power is cut.
SHUTDOWN_TIMEOUT_S = 60.0
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


F = TypeVar("F", bound=Callable[..., Any])

# hcloud retries throttling, conflicts and gateway timeouts itself (5 times, backing off);
# an unavailable API, a locked server or a dropped connection only these tries cover. A
# lasting 429 is rare behind the account's budget, so their product is acceptable.
provider_call = retrying("hetzner", is_transient)


def failing_for_good(code: str) -> Callable[[F], F]:
    """Report what is left once retries are spent as `ProviderError`: the provider's refusal
    as `code`, an unreachable provider as PROVIDER_UNREACHABLE."""

    def decorate(call: F) -> F:
        @functools.wraps(call)
        def reported(*args: Any, **kwargs: Any) -> Any:
            try:
                return call(*args, **kwargs)
            except APIException as error:
                raise ProviderError(code, f"{error.code}: {error.message}") from error
            except (ActionFailedException, ActionTimeoutException) as error:
                raise ProviderError(code, str(error)) from error
            except requests.RequestException as error:
                raise ProviderError("PROVIDER_UNREACHABLE", str(error)) from error

        return cast(F, reported)

    return decorate


def server_name(instance_id: UUID) -> str:
    return f"hp-{instance_id}"


def _newest(series: dict[str, Any]) -> datetime | None:
    """When the newest point of any series was measured."""
    stamps = [float(v[-1][0]) for s in series.values() if (v := s.get("values"))]
    return datetime.fromtimestamp(max(stamps), UTC) if stamps else None


def _last(series: dict[str, Any], *names: str) -> float:
    """The newest value of the named series, summed (0 when the provider has none yet)."""
    total = 0.0
    for name in names:
        values = series.get(name, {}).get("values") or []
        if values:
            total += float(values[-1][1])
    return total


class HetznerProvider(HetznerBackups):
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

    @failing_for_good("SERVER_CREATE_FAILED")
    def ensure_server(self, spec: ServerSpec) -> CreatedServer:
        """Ask for the instance's server (once); it boots while the caller goes on."""
        assert isinstance(spec.region, HetznerRegion)
        server, action = self._create_once(spec)
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

    @failing_for_good("PROVIDER_ERROR")
    def boot_states(self, boots: Sequence[str]) -> list[BootState]:
        """The state of the boot actions, up to 50 in one request."""
        states: list[BootState] = []
        for start in range(0, len(boots), ACTIONS_PER_REQUEST):
            states += self._action_states(list(boots[start : start + ACTIONS_PER_REQUEST]))
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

    @failing_for_good("SERVER_CREATE_FAILED")
    def wait_started(self, instance_id: UUID) -> None:
        """Block until the instance's server runs (for a server found, not created, by us)."""
        self._wait_running(self._require(instance_id))

    @failing_for_good("SERVER_DELETE_FAILED")
    def ensure_deleted(self, instance_id: UUID) -> bool:
        """Make sure no server of the instance exists; True if this call deleted one."""
        deleted = False
        for server in self._find_all(instance_id):
            action = self._delete(server)
            self._wait(action)
            deleted = deleted or action is not None
        return deleted

    @failing_for_good("POWER_OFF_FAILED")
    def power_off(self, instance_id: UUID) -> None:
        """Shut the server down through ACPI, cutting its power if it has not stopped within
        a minute (already off is fine)."""
        self._power_off(self._require(instance_id))

    @failing_for_good("POWER_ON_FAILED")
    def power_on(self, instance_id: UUID) -> None:
        """Start the instance's server (already running is fine)."""
        server = self._require(instance_id)
        if server.status != "running":
            self._wait(self._action(server, "power_on"))

    @failing_for_good("REBOOT_FAILED")
    def reboot(self, instance_id: UUID) -> None:
        """Restart the instance's server (a soft reboot through ACPI)."""
        self._wait(self._action(self._require(instance_id), "reboot"))

    @failing_for_good("RESIZE_FAILED")
    def resize(self, instance_id: UUID, plan: PlanSpec, start_after: bool) -> None:
        """Move the server to the plan's type: stop it, grow its disk, start it if asked."""
        server = self._require(instance_id)
        if server.server_type is not None and server.server_type.name != plan.server_type:
            self._power_off(server)
            self._wait(self._change_type(server, plan.server_type))
        if start_after:
            self.power_on(instance_id)

    @failing_for_good("REBUILD_FAILED")
    def rebuild(self, instance_id: UUID, image: str, ssh_keys: list[str]) -> None:
        """Hetzner's rebuild action: the disk written anew from `image`, cloud-init given the
        keys; the server is started if it was off."""
        server = self._require(instance_id)
        self._wait(self._rebuild(server, image, ssh_keys_user_data(ssh_keys) if ssh_keys else None))
        self.power_on(instance_id)

    @provider_call
    def _rebuild(self, server: BoundServer, image: str, user_data: str | None) -> BoundAction:
        return self._client.servers.rebuild(server, Image(name=image), user_data=user_data).action

    @failing_for_good("PROVIDER_ERROR")
    def usage(self) -> list[ServerUsage]:
        """One list call finds every Hostplane server (traffic counters included), then one
        metrics call per running server reads its last minutes of CPU, disk and network."""
        now = datetime.now(UTC)
        samples = (
            self._usage(server, now)
            for server in self._managed()
            if server.status == "running" and INSTANCE_LABEL in (server.labels or {})
        )
        return [sample for sample in samples if sample is not None]

    @failing_for_good("CONSOLE_FAILED")
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

    def _usage(self, server: BoundServer, now: datetime) -> ServerUsage | None:
        """The server's newest point; None for a server deleted since it was listed."""
        try:
            metrics = self._metrics(server, now)
        except APIException as error:
            if error.code == "not_found":
                return None
            raise
        newest = _newest(metrics)
        if newest is None:
            return None  # too new to have been measured
        cores = server.server_type.cores if server.server_type and server.server_type.cores else 1
        return ServerUsage(
            instance_id=UUID((server.labels or {})[INSTANCE_LABEL]),
            ts=newest,
            provider="hetzner",
            # Hetzner counts 100 per vCPU; a sample is a share of the whole server.
            cpu_percent=_last(metrics, "cpu") / cores,
            disk_bps=_last(metrics, "disk.0.bandwidth.read", "disk.0.bandwidth.write"),
            net_in_bps=_last(metrics, "network.0.bandwidth.in"),
            net_out_bps=_last(metrics, "network.0.bandwidth.out"),
            traffic_out_gb=(server.outgoing_traffic or 0) / 1e9,
            traffic_gb=(server.included_traffic or 0) / 1e9,
        )

    @provider_call
    def _metrics(self, server: BoundServer, now: datetime) -> dict[str, Any]:
        series: dict[str, Any] = server.get_metrics(
            type=["cpu", "disk", "network"], start=now - USAGE_WINDOW, end=now, step=60
        ).metrics.time_series
        return series

    def _power_off(self, server: BoundServer) -> None:
        if server.status == "off":
            return
        self._wait(self._action(server, "shutdown"))
        deadline = time.monotonic() + SHUTDOWN_TIMEOUT_S
        while (server := self._reload(server)).status != "off":
            if time.monotonic() > deadline:
                self._wait(self._action(server, "power_off"))
                return
            time.sleep(self._poll_interval_s)

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
        """The server and the action that ends with its boot: `start_server`, which follows
        `create_server` (the server has booted only once it finished)."""
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
        return response.server, (response.next_actions or [response.action])[-1]

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
