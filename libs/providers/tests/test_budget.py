"""Provider calls paced to the account's rate limit: waiting, never refused.

Each scenario runs with the budget in this process's memory and with the one in Redis.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hcloud import Client

from hostplane.cloudsim.app import create_app
from hostplane.providers.budget import Budget, Pace, RequestBudget, pace_requests
from hostplane.providers.shared_budget import SharedBudget, account_key, redis_client
from tools.cloudsim.tests.conftest import serve

LIMIT = 3600
TIME_FACTOR = 100  # 100 requests a second


@pytest.fixture
def cloudsim_url() -> Iterator[str]:
    env = {
        "CLOUDSIM_RATE_LIMIT_PER_HOUR": str(LIMIT),
        "CLOUDSIM_RATE_LIMIT_INITIAL": "0",  # a project that has spent its hour
        "CLOUDSIM_TIME_FACTOR": str(TIME_FACTOR),
    }
    yield from serve(create_app(env))


def paced_client(url: str, token: str, budget: Budget) -> Client:
    client = Client(token=token, api_endpoint=f"{url}/hetzner/v1")
    pace_requests(f"{url}/hetzner/v1", "hetzner", budget)  # as HetznerProvider does
    return client


@pytest.fixture(params=["in-memory", "in-redis"])
def budget(request: pytest.FixtureRequest, cloudsim_url: str, account: str) -> Budget:
    pace_ = Pace.per_hour(LIMIT * TIME_FACTOR)
    if request.param == "in-memory":
        return RequestBudget(pace_)
    redis_url: str = request.getfixturevalue("redis_url")
    key = account_key("hetzner", f"{cloudsim_url}/hetzner/v1", account)
    return SharedBudget(redis_client(redis_url), key, pace_)


def test_concurrent_calls_on_a_spent_budget_all_succeed_without_a_429(
    cloudsim_url: str, account: str, budget: Budget
) -> None:
    client = paced_client(cloudsim_url, account, budget)
    with ThreadPoolExecutor(8) as pool:
        listed = list(pool.map(lambda _: client.server_types.get_all(), range(60)))
    assert all(types for types in listed)
    state = httpx.get(f"{cloudsim_url}/_admin/state").json()
    assert state["status_counts"].get("429", 0) == 0
    assert state["route_counts"]["GET /hetzner/v1/server_types"] == 60


@pytest.fixture(scope="module")
def slow_cloudsim_url() -> Iterator[str]:
    env = {"CLOUDSIM_RATE_LIMIT_PER_HOUR": str(LIMIT), "CLOUDSIM_RATE_LIMIT_INITIAL": "0"}
    yield from serve(create_app(env))


def test_without_pacing_calls_are_refused(slow_cloudsim_url: str) -> None:
    cloudsim_url = slow_cloudsim_url
    client = Client(token="another-spent-project", api_endpoint=f"{cloudsim_url}/hetzner/v1")
    before = httpx.get(f"{cloudsim_url}/_admin/state").json()["status_counts"].get("429", 0)
    for _ in range(5):
        # hcloud retries a 429 a few times, then gives up; either way the account said no.
        try:
            client.request("GET", "/server_types")
        except Exception:
            continue
    after = httpx.get(f"{cloudsim_url}/_admin/state").json()["status_counts"].get("429", 0)
    assert after > before
