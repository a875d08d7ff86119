"""Proxmox VE's API as the adapter calls it: proxmoxer on the URL as configured, each request
counted; failures sorted into worth another try or not; tasks waited for; VMs as listed.

Proxmox answers a clone, start, stop or delete with a task id (UPID) at once and works on in
a worker; a task is waited for by polling its status. 5xx answers, dropped connections,
timeouts and a VM locked by another task are tried again (`retrying`); a 4xx refusal, a 500
saying that something does not or already exists, or a task that ended in error, is a
failure for good.
"""

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import requests
from proxmoxer import ProxmoxResource, ResourceException
from proxmoxer.backends import https
from proxmoxer.tools import Tasks

from hostplane.providers.budget import pace
from hostplane.providers.errors import ProviderError, TransientError
from hostplane.providers.retrying import retrying

# What a 500 says when no retry changes the answer.
FOR_GOOD = ("does not exist", "already exists")

provider_call = retrying("proxmox")


class TaskFailed(Exception):
    """A Proxmox task ended in error (its exit status), or did not end in time."""


def vm_name(instance_id: UUID) -> str:
    return f"hp-{instance_id}"


@dataclass(frozen=True)
class Guest:
    """A VM as `/cluster/resources` lists it."""

    vmid: int
    node: str
    name: str
    status: str
    tags: frozenset[str]
    template: bool

    @classmethod
    def listed(cls, row: Mapping[str, Any]) -> "Guest":
        return cls(
            vmid=int(row["vmid"]),
            node=str(row["node"]),
            name=str(row.get("name") or ""),
            status=str(row.get("status") or ""),
            tags=frozenset(re.split(r"[;, ]+", str(row.get("tags") or ""))) - {""},
            template=bool(row.get("template")),
        )

    @property
    def path(self) -> str:
        return f"nodes/{self.node}/qemu/{self.vmid}"

    def is_of(self, instance_id: UUID) -> bool:
        name = vm_name(instance_id)
        return not self.template and (self.name == name or name in self.tags)

    def instance_id(self) -> UUID | None:
        """The instance the VM was made for, read from its name or its tags."""
        for label in (self.name, *sorted(self.tags)):
            if label.startswith("hp-"):
                try:
                    return UUID(label.removeprefix("hp-"))
                except ValueError:
                    continue
        return None


def is_transient(error: ResourceException) -> bool:
    """5xx answers, throttling (429, from a proxy in front of the API) and a VM locked by
    another task are worth another try; a 500 saying that something does not or already
    exists is not."""
    message = f"{error.content} {error.errors or ''}"
    if "locked" in message or int(error.status_code) == 429:
        return True
    return int(error.status_code) >= 500 and not any(text in message for text in FOR_GOOD)


@contextmanager
def reported(code: str) -> Iterator[None]:
    """A public call's failures as Hostplane reports them: for good under `code`, or
    PROVIDER_UNREACHABLE once the retries of a transient failure have run out."""
    try:
        yield
    except (ResourceException, TaskFailed) as error:
        raise ProviderError(code, str(error)) from error
    except (TransientError, requests.RequestException) as error:
        raise ProviderError("PROVIDER_UNREACHABLE", str(error)) from error


def connect(
    api_url: str, token_id: str, token_secret: str, verify_tls: bool, timeout_s: float
) -> ProxmoxResource:
    """proxmoxer's client on `api_url` as configured, every request counted.

    proxmoxer's https backend builds `https://<host>:<port>/api2/json` itself; the pieces it
    hands out (a session that signs with the token, and its serializer) are put together
    here on the URL as given, scheme and path included, so that cloudsim's plain http and
    its `/proxmox` prefix work too.
    """
    user, _, token_name = token_id.partition("!")
    backend = https.Backend(
        host=urlsplit(api_url).netloc,
        user=user,
        token_name=token_name,
        token_value=token_secret,
        verify_ssl=verify_tls,
        timeout=timeout_s,
    )
    session = backend.get_session()
    pace(session, api_url, "proxmox", None)
    return ProxmoxResource(
        base_url=f"{api_url}/api2/json", session=session, serializer=backend.get_serializer()
    )


class ProxmoxApi:
    """One Proxmox VE cluster's API, reached with an API token (`user@realm!name`)."""

    def __init__(
        self,
        api_url: str,
        token_id: str,
        token_secret: str,
        verify_tls: bool,
        timeout_s: float,
        poll_interval_s: float,
        wait_timeout_s: float,
    ) -> None:
        self._resource = connect(api_url, token_id, token_secret, verify_tls, timeout_s)
        self._poll_interval_s = poll_interval_s
        self._wait_timeout_s = wait_timeout_s

    def send(self, method: str, path: str, **params: Any) -> Any:
        """One request; failures worth another try come out as `TransientError`."""
        resource = self._resource(path)
        request = {
            "GET": resource.get,
            "POST": resource.post,
            "PUT": resource.put,
            "DELETE": resource.delete,
        }[method]
        try:
            return request(**params)
        except ResourceException as error:
            if is_transient(error):
                raise TransientError(f"{method} {path}: {error}") from error
            raise
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientError(f"{method} {path}: {error!r}") from error

    @provider_call
    def call(self, method: str, path: str, **params: Any) -> Any:
        return self.send(method, path, **params)

    @provider_call
    def run(self, method: str, path: str, **params: Any) -> str:
        """Start a task and wait for its end; a task that met a locked VM starts again."""
        upid = str(self.send(method, path, **params))
        self.wait_task(upid)
        return upid

    def task(self, upid: str) -> dict[str, Any]:
        node = Tasks.decode_upid(upid)["node"]
        status: dict[str, Any] = self.call("GET", f"nodes/{node}/tasks/{upid}/status")
        return status

    def wait_task(self, upid: str) -> None:
        deadline = time.monotonic() + self._wait_timeout_s
        while (task := self.task(upid))["status"] != "stopped":
            if time.monotonic() > deadline:
                raise TaskFailed(f"task {upid} still running after {self._wait_timeout_s}s")
            time.sleep(self._poll_interval_s)
        outcome = str(task.get("exitstatus", ""))
        if outcome == "OK" or outcome.startswith("WARNINGS"):
            return
        if "locked" in outcome:
            raise TransientError(f"task {upid}: {outcome}")
        raise TaskFailed(f"task {upid}: {outcome}")

    def guests(self) -> list[Guest]:
        rows = self.call("GET", "cluster/resources", type="vm")
        return [Guest.listed(row) for row in rows if row.get("type") == "qemu"]

    def current(self, guest: Guest) -> dict[str, Any]:
        current: dict[str, Any] = self.call("GET", f"{guest.path}/status/current")
        return current

    def settled(self, guest: Guest) -> Guest:
        """The VM once no task holds its lock (a clone of an earlier attempt may still run)."""
        deadline = time.monotonic() + self._wait_timeout_s
        while (current := self.current(guest)).get("lock"):
            if time.monotonic() > deadline:
                raise TaskFailed(f"VM {guest.vmid} still locked ({current['lock']})")
            time.sleep(self._poll_interval_s)
        return replace(guest, status=str(current["status"]))
