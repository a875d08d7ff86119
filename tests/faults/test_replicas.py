"""Two replicas of every service, the gateway included, with the load spread over both
gateways; one replica of each service is killed -9 mid-stream, the outbox leaders among them.

In a window without kills every event is published once. Afterwards every instance is where
its commands put it, the providers hold exactly what the live instances need, nothing was
stored twice, the read models equal a rebuild, and each outbox takeover took under 5 s.
"""

import asyncio
import itertools
import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
import pytest

from hostplane.contracts.topics import DNS_EVENTS, JOB_EVENTS, USER_EVENTS, VPS_EVENTS
from tests.conftest import wait_until
from tests.e2e.test_instance_lifecycle import order
from tests.e2e.whmcs import Whmcs
from tests.faults.checks import (
    RETRYABLE,
    assert_settled,
    persistently,
    published_twice,
    statuses,
)
from tests.stack import Stack, kill_outbox_leader

CALM_ORDERS, CHAOS_ORDERS = 20, 60
SUSPENDED, TERMINATED = range(0, 15), range(15, 30)
OUTBOXES = ("provisioning", "dns")
TAKEOVER_BOUND_S = 5.0


class Gateways:
    """WHMCS calls spread over every gateway replica; each try goes to the next one."""

    def __init__(self, urls: tuple[str, ...]) -> None:
        signed: set[tuple[str, str, bytes, str]] = set()  # one WHMCS: a retry is signed anew
        self._clients = [Whmcs(url, signed=signed) for url in urls]
        self._turn = itertools.count()

    def call(self, method: str, *args: Any, **kwargs: Any) -> httpx.Response:
        client = self._clients[next(self._turn) % len(self._clients)]
        response: httpx.Response = getattr(client, method)(*args, **kwargs)
        return response


def final(response: httpx.Response) -> bool:
    return response.status_code not in RETRYABLE


class Orders(threading.Thread):
    """Places orders over both gateways, retrying each until its answer is final."""

    def __init__(self, gateways: Gateways, count: int) -> None:
        super().__init__(daemon=True)
        self.gateways, self.count = gateways, count
        self.responses: list[httpx.Response] = []
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            for _ in range(self.count):
                fields = order()  # a retried order is the same order: the same instance
                self.responses.append(
                    persistently(partial(self.gateways.call, "create", **fields), final)
                )
        except BaseException as error:  # surfaced by the test
            self.failure = error

    def placed(self, n: int) -> Callable[[], bool]:
        return lambda: len(self.responses) >= n or not self.is_alive()

    def ids(self) -> list[str]:
        self.join(timeout=300)
        assert not self.is_alive() and self.failure is None, self.failure
        assert {r.status_code for r in self.responses} <= {200, 201}
        return [r.json()["id"] for r in self.responses]


def all_active(stack: Stack, ids: list[str]) -> Callable[[], bool]:
    return lambda: Counter(statuses(stack, ids).values())["active"] == len(ids)


@pytest.mark.timeout(900)
def test_replicas_lose_and_double_nothing_when_one_of_each_is_killed(replica_stack: Stack) -> None:
    stack = replica_stack
    assert len(stack.gateway_urls) == 2
    gateways = Gateways(stack.gateway_urls)

    # A window without kills: every event is published exactly once.
    calm = Orders(gateways, CALM_ORDERS)
    calm.start()
    ids = calm.ids()
    wait_until(all_active(stack, ids), 180, 0.5, what="the calm orders to become active")
    topics = [VPS_EVENTS, DNS_EVENTS, JOB_EVENTS, USER_EVENTS]
    assert asyncio.run(published_twice(stack, topics)) == {}

    # Orders keep coming while one replica of every service is killed.
    chaos = Orders(gateways, CHAOS_ORDERS)
    chaos.start()
    takeovers = {}
    wait_until(chaos.placed(10), 120, what="orders to flow")
    takeovers["provisioning"] = kill_outbox_leader(stack, "provisioning")
    wait_until(chaos.placed(25), 120, what="more orders")
    takeovers["dns"] = kill_outbox_leader(stack, "dns")
    wait_until(chaos.placed(40), 120, what="more orders")
    for name in ("metrics-2", "gateway-2"):
        stack.processes.kill(name)
        stack.processes.start(name)
    ids += chaos.ids()
    wait_until(all_active(stack, ids), 300, 0.5, what="every order to become active")

    # Suspends and deletes, with the provisioning leader killed once more among them.
    commands = [
        partial(gateways.call, "request", "POST", f"/api/instances/{ids[i]}/suspend")
        for i in SUSPENDED
    ] + [
        partial(gateways.call, "request", "DELETE", f"/api/instances/{ids[i]}") for i in TERMINATED
    ]
    for n, command in enumerate(commands):
        if n == len(commands) // 2:
            takeovers["provisioning, again"] = kill_outbox_leader(stack, "provisioning")
        persistently(command, final)
    stack.processes.revive()

    expected = {
        instance_id: "suspended"
        if i in SUSPENDED
        else "terminated"
        if i in TERMINATED
        else "active"
        for i, instance_id in enumerate(ids)
    }
    assert_settled(stack, ids, expected)
    assert all(took < TAKEOVER_BOUND_S for took in takeovers.values()), takeovers
