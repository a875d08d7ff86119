"""Rate limits per API key, user and IP: 429 with Retry-After and X-RateLimit-* headers."""

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import Stack, another_gateway
from tests.e2e.whmcs import Dashboard, token


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
