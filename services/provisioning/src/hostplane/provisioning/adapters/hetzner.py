"""Hetzner Cloud through the official `hcloud` client.

Every call is safe to repeat: a server is named after its instance, so a create whose answer
was lost finds the server on its retry; deleting is "make sure it is gone". Calls are paced
to the project's rate limit, and actions are polled many at a time.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from uuid import UUID

import requests
from hcloud import APIException, Client
from hcloud.actions import ActionFailedException, ActionTimeoutException, BoundAction
from hcloud.images import Image
from hcloud.locations import Location
from hcloud.server_types import ServerType
from hcloud.servers import BoundServer
from hcloud.ssh_keys import SSHKey
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from hostplane.contracts.catalog import datacenter_of
from hostplane.providers.budget import Budget, pace
from hostplane.provisioning.domain.instance import ServerFacts

log = logging.getLogger(__name__)

INSTANCE_LABEL = "hostplane.io/instance-id"
MANAGED_LABEL = "hostplane.io/managed"

TRANSIENT_CODES = {
    "rate_limit_exceeded",
    "conflict",
    "locked",
    "server_error",
    "unavailable",
    "timeout",
    "bad_gateway",
}


class ProviderError(Exception):
    """A provider call failed for good (retries exhausted, or the provider said no)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_transient(error: BaseException) -> bool:
    """Errors worth another try: throttling, 5xx, timeouts, dropped connections."""
    if isinstance(error, APIException):
        code = error.code
        return code in TRANSIENT_CODES or (isinstance(code, int) and code >= 500)
    return isinstance(error, requests.ConnectionError | requests.Timeout)


def _log_retry(state: RetryCallState) -> None:
    log.warning(
        "hetzner call failed, retrying (attempt %d): %s",
        state.attempt_number,
        state.outcome.exception() if state.outcome else None,
    )


provider_call = retry(
    retry=retry_if_exception(is_transient),
    wait=wait_exponential_jitter(multiplier=0.2, max=10.0, jitter=0.5),
    stop=stop_after_attempt(8),
    before_sleep=_log_retry,
    reraise=True,
)


@dataclass(frozen=True)
class ServerSpec:
    instance_id: UUID
    server_type: str
    location: str
    image: str
    user_data: str
    ssh_key_ids: list[str]


def server_name(instance_id: UUID) -> str:
    return f"hp-{instance_id}"


@dataclass(frozen=True)
class CreatedServer:
    facts: ServerFacts
    # The create action to watch; None for a server found from an earlier attempt.
    action_id: int | None


@dataclass(frozen=True)
class ActionState:
    id: int
    status: str  # running | success | error
    error: str | None = None


class HetznerProvider:
    def __init__(
        self,
        token: str,
        endpoint: str,
        poll_interval: float = 0.25,
        boot_timeout_s: float = 600,
        timeout_s: float = 30.0,
        budget: Budget | None = None,
    ) -> None:
        self.poll_interval = poll_interval
        self._boot_timeout_s = boot_timeout_s
        self._client = Client(
            token=token,
            api_endpoint=endpoint,
            application_name="hostplane",
            poll_interval=poll_interval,
            poll_max_retries=2400,
            timeout=(3.05, timeout_s),
        )
        # hcloud takes no transport of ours; its session is where every request passes.
        pace(self._client._client._session, endpoint, "hetzner", budget)

    def create_server(self, spec: ServerSpec) -> CreatedServer:
        """Ask for the instance's server (once); it boots while the caller goes on."""
        try:
            server, action = self._create_once(spec)
        except APIException as error:
            raise ProviderError("SERVER_CREATE_FAILED", f"{error.code}: {error.message}") from error
        except requests.RequestException as error:
            raise ProviderError("PROVIDER_UNREACHABLE", str(error)) from error
        assert server.id is not None
        assert server.server_type is not None and server.location is not None
        assert server.public_net is not None and server.public_net.ipv4 is not None
        facts = ServerFacts(
            hetzner_id=server.id,
            server_type=str(server.server_type.name),
            datacenter=datacenter_of(str(server.location.name)),
            ip_address=server.public_net.ipv4.ip,
        )
        return CreatedServer(facts, action.id if action is not None else None)

    @provider_call
    def action_states(self, action_ids: list[int]) -> list[ActionState]:
        """The state of up to 50 actions, in one request."""
        answer = self._client.request(
            "GET", "/actions", params={"id": action_ids, "per_page": len(action_ids)}
        )
        return [
            ActionState(a["id"], a["status"], (a.get("error") or {}).get("message"))
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

    def change_type(self, instance_id: UUID, server_type: str, start_after: bool) -> None:
        """Move the server to another type: stop it, grow its disk, start it again if asked."""
        server = self._require(instance_id)
        if server.server_type is not None and server.server_type.name != server_type:
            if server.status != "off":
                self._wait(self._action(server, "power_off"))
            try:
                self._wait(self._change_type(server, server_type))
            except APIException as error:
                raise ProviderError("RESIZE_FAILED", f"{error.code}: {error.message}") from error
        if start_after:
            self.power_on(instance_id)

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
        response = self._client.servers.create(
            name=server_name(spec.instance_id),
            server_type=ServerType(name=spec.server_type),
            image=Image(name=spec.image),
            location=Location(name=spec.location),
            ssh_keys=[_ssh_key(key) for key in spec.ssh_key_ids],
            user_data=spec.user_data,
            labels={INSTANCE_LABEL: str(spec.instance_id), MANAGED_LABEL: "true"},
        )
        return response.server, response.action

    @provider_call
    def _delete(self, server: BoundServer) -> BoundAction:
        try:
            return server.delete()
        except APIException as error:
            if error.code == "not_found":
                return None  # type: ignore[return-value]
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
                time.sleep(self.poll_interval)
            self._wait(action)
            server = self._reload(server)
        return server

    @provider_call
    def _running_action(self, server: BoundServer) -> BoundAction | None:
        actions = server.get_actions(status=["running"])
        return actions[0] if actions else None


class ActionWatcher:
    """Waits for many actions at once: one `GET /actions?id=…` a round for up to 50 of them.

    Polling each action alone would spend the project's rate limit on waiting.
    """

    BATCH = 50

    def __init__(self, provider: HetznerProvider, interval_s: float, timeout_s: float) -> None:
        self._provider = provider
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._waiting: dict[int, asyncio.Future[ActionState]] = {}
        self._polling: asyncio.Task[None] | None = None

    async def finished(self, action_id: int) -> ActionState:
        """The action once it is no longer running (status `error` after the timeout)."""
        future = self._waiting.get(action_id)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._waiting[action_id] = future
        if self._polling is None or self._polling.done():
            self._polling = asyncio.create_task(self._poll(), name="hetzner-action-watcher")
        try:
            return await asyncio.wait_for(asyncio.shield(future), self._timeout_s)
        except TimeoutError:
            self._waiting.pop(action_id, None)
            return ActionState(action_id, "error", f"still running after {self._timeout_s:.0f}s")

    async def _poll(self) -> None:
        while self._waiting:
            await asyncio.sleep(self._interval_s)
            waiting = list(self._waiting)
            for start in range(0, len(waiting), self.BATCH):
                chunk = waiting[start : start + self.BATCH]
                try:
                    states = await asyncio.to_thread(self._provider.action_states, chunk)
                except (APIException, requests.RequestException) as error:
                    log.warning("polling %d actions failed, retrying: %s", len(chunk), error)
                    continue
                for state in states:
                    if state.status != "running" and state.id in self._waiting:
                        self._waiting.pop(state.id).set_result(state)


def _ssh_key(key: str) -> SSHKey:
    return SSHKey(id=int(key)) if key.isdigit() else SSHKey(name=key)
