"""Providers' rate limits: Hetzner's refilling bucket per project (429 past it, and its
headers) and Cloudflare's requests per 5 minutes per user (429 with Retry-After)."""

from collections.abc import Iterator

import httpx
import pytest

from hostplane.cloudsim.app import create_app
from tests.conftest import wait_until
from tools.cloudsim.tests.conftest import ZONE, serve


@pytest.fixture(scope="module")
def limited_url() -> Iterator[str]:
    # Three requests in the bucket at start; time runs slow, so it refills one in 100 s.
    env = {
        "CLOUDSIM_RATE_LIMIT_PER_HOUR": "3600",
        "CLOUDSIM_RATE_LIMIT_INITIAL": "3",
        "CLOUDSIM_TIME_FACTOR": "0.01",
    }
    yield from serve(create_app(env))


def test_past_the_bucket_requests_get_429_with_the_rate_headers(limited_url: str) -> None:
    headers = {"Authorization": "Bearer project-a"}
    answers = [
        httpx.get(f"{limited_url}/hetzner/v1/servers/{n}", headers=headers) for n in range(4)
    ]
    assert [a.status_code for a in answers[:3]] == [404, 404, 404]
    assert answers[3].status_code == 429
    assert answers[3].json()["error"]["code"] == "rate_limit_exceeded"
    assert answers[3].headers["RateLimit-Limit"] == "3600"
    assert answers[3].headers["RateLimit-Remaining"] == "0"
    assert int(answers[2].headers["RateLimit-Reset"]) > 0
    # Another project has a bucket of its own; Cloudflare is not limited.
    other = httpx.get(f"{limited_url}/hetzner/v1/servers", headers={"Authorization": "Bearer b"})
    assert other.status_code == 200


def test_requests_are_counted_per_route_template_and_status(limited_url: str) -> None:
    headers = {"Authorization": "Bearer project-c"}
    for n in (1, 2):
        httpx.get(f"{limited_url}/hetzner/v1/servers/{n}", headers=headers)
    state = httpx.get(f"{limited_url}/_admin/state").json()
    assert state["route_counts"]["GET /hetzner/v1/servers/{id}"] >= 2
    assert state["status_counts"]["404"] >= 2


@pytest.fixture(scope="module")
def cloudflare_limited_url() -> Iterator[str]:
    # Three requests in any 5 minutes; time runs 150 times faster: a window of 2 s.
    env = {"CLOUDSIM_CLOUDFLARE_RATE_LIMIT_PER_5_MINUTES": "3", "CLOUDSIM_TIME_FACTOR": "150"}
    yield from serve(create_app(env))


def test_cloudflare_refuses_a_user_past_its_window_with_retry_after(
    cloudflare_limited_url: str,
) -> None:
    zone = f"{cloudflare_limited_url}/cloudflare/client/v4/zones/{ZONE}/dns_records"
    user = {"Authorization": "Bearer user-a"}
    answers = [httpx.get(zone, headers=user) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json()["success"] is False
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 2
    assert httpx.get(zone, headers={"Authorization": "Bearer user-b"}).status_code == 200
    # The window slides on: once the first requests leave it, the user is served again.
    wait_until(lambda: httpx.get(zone, headers=user).status_code == 200, timeout=5, interval=0.2)
