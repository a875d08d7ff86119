"""Rate limits per API key, user and IP: 429 with Retry-After and X-RateLimit-* headers.

With Redis, every gateway of a stack counts against the same limits; without it (or while it
does not answer) each counts on its own.
"""

import shutil
import subprocess
from collections.abc import Callable, Iterator
from itertools import cycle
from pathlib import Path

import httpx
import pytest

from tests.conftest import wait_until
from tests.e2e.conftest import Stack, another_gateway, free_port
from tests.e2e.whmcs import Dashboard, token

SHARED_LIMITS = {
    "RATE_LIMIT_USER": "6/minute",
    "RATE_LIMIT_IP": "1000/minute",
    "RATE_LIMIT_API_KEY": "1000/minute",
}


@pytest.fixture(scope="module")
def strict_gateway(stack: Stack) -> Iterator[str]:
    """A second gateway on the same stack, with small limits."""
    with another_gateway(
        stack,
        "gateway-strict",
        RATE_LIMIT_USER="5/minute",
        RATE_LIMIT_IP="8/minute",
        RATE_LIMIT_API_KEY="100/minute",
    ) as url:
        yield url


def test_a_user_over_its_limit_gets_429_with_retry_after(strict_gateway: str) -> None:
    user = Dashboard(strict_gateway, token("admin"))
    responses = [user.request("GET", "/api/admin/stats") for _ in range(6)]
    assert [r.status_code for r in responses[:5]] == [200] * 5
    assert [r.headers["X-RateLimit-Remaining"] for r in responses[:5]] == ["4", "3", "2", "1", "0"]
    limited = responses[5]
    assert limited.status_code == 429
    assert limited.json()["code"] == "RATE_LIMITED"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Limit"] == "5"


def test_the_ip_limit_covers_everyone_behind_it(strict_gateway: str) -> None:
    statuses = [
        Dashboard(strict_gateway, token("admin")).request("GET", "/api/admin/stats").status_code
        for _ in range(10)
    ]
    assert statuses.count(429) >= 2  # 8 per minute from this address, shared with the test above
    assert httpx.get(f"{strict_gateway}/api/health").status_code == 200  # health is not limited


@pytest.fixture(scope="module")
def twin_gateways(stack: Stack) -> Iterator[tuple[str, str]]:
    """Two more gateways on the stack, as two replicas behind a load balancer."""
    if not stack.processes.env.get("REDIS_URL"):
        pytest.skip("the stack has no Redis to share limits through")
    with (
        another_gateway(stack, "gateway-twin-a", **SHARED_LIMITS) as one,
        another_gateway(stack, "gateway-twin-b", **SHARED_LIMITS) as other,
    ):
        yield one, other


def test_two_gateways_refuse_a_user_at_their_shared_limit_not_at_twice_it(
    twin_gateways: tuple[str, str],
) -> None:
    bearer = token("admin")
    sessions = cycle([Dashboard(url, bearer) for url in twin_gateways])
    responses = [next(sessions).request("GET", "/api/admin/stats") for _ in range(8)]
    assert [r.status_code for r in responses] == [200] * 6 + [429] * 2
    remaining = [r.headers["X-RateLimit-Remaining"] for r in responses[:6]]
    assert remaining == ["5", "4", "3", "2", "1", "0"]
    for refused in responses[6:]:  # one refusal from each gateway
        assert refused.json()["code"] == "RATE_LIMITED"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["X-RateLimit-Limit"] == "6"


def new_lines(log: Path) -> Callable[[], str]:
    """What a log gets from now on (the file is appended to by every run)."""
    offset = log.stat().st_size if log.exists() else 0

    def read() -> str:
        with log.open("rb") as file:
            file.seek(offset)
            return file.read().decode(errors="replace")

    return read


def test_without_redis_a_gateway_answers_and_limits_on_its_own(stack: Stack) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    logged = new_lines(stack.processes.logs / "gateway-no-redis.log")
    with another_gateway(
        stack, "gateway-no-redis", REDIS_URL=nowhere, RATE_LIMIT_USER="3/minute"
    ) as url:
        user = Dashboard(url, token("admin"))
        responses = [user.request("GET", "/api/admin/stats") for _ in range(4)]
        wait_until(lambda: "Redis unreachable" in logged(), 10, what="the outage logged")
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_a_gateway_shares_its_limits_again_once_redis_answers(stack: Stack) -> None:
    port = free_port()
    logged = new_lines(stack.processes.logs / "gateway-redis-back.log")
    with another_gateway(
        stack, "gateway-redis-back", REDIS_URL=f"redis://127.0.0.1:{port}/0"
    ) as url:

        def answered() -> bool:
            return Dashboard(url, token("admin")).request("GET", "/api/admin/stats").is_success

        assert answered()
        wait_until(lambda: "Redis unreachable" in logged(), 10, what="the outage logged")
        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_until(
                lambda: answered() and "Redis answers again" in logged(),
                20,
                interval=0.5,
                what="limits shared again",
            )
            counted = subprocess.run(
                ["redis-cli", "-p", str(port), "--scan", "--pattern", "hostplane:*ratelimit:*"],
                capture_output=True,
                text=True,
                check=True,
            )
        finally:
            redis.terminate()
            redis.wait(timeout=10)
    assert counted.stdout.strip()  # the gateway's counts are in Redis again
