"""Provider budgets shared by processes: together they stay within the account's limit.

Two processes call one provider account through the real clients, as two replicas would; the
simulated provider counts and refuses as Hetzner and Cloudflare do, with time sped up.
"""

import multiprocessing
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier

import httpx
import pytest
from hcloud import APIException, Client

from hostplane.cloudsim.app import create_app
from hostplane.providers.budget import CLOUDFLARE_WINDOW_S, Pace, PacedTransport, pace_requests
from hostplane.providers.shared_budget import budget_for
from tests.conftest import Infra
from tools.cloudsim.tests.conftest import ZONE, serve

HETZNER_PER_HOUR = 3600
CLOUDFLARE_PER_5_MINUTES = 300
TIME_FACTOR = 100  # Hetzner's project refills 100 requests a second; Cloudflare's window is 3 s
THREADS = 4


@pytest.fixture
def cloudsim_url() -> Iterator[str]:
    env = {
        "CLOUDSIM_RATE_LIMIT_PER_HOUR": str(HETZNER_PER_HOUR),
        "CLOUDSIM_RATE_LIMIT_INITIAL": "0",  # a project that has spent its hour
        "CLOUDSIM_CLOUDFLARE_RATE_LIMIT_PER_5_MINUTES": str(CLOUDFLARE_PER_5_MINUTES),
        "CLOUDSIM_TIME_FACTOR": str(TIME_FACTOR),
    }
    yield from serve(create_app(env))


@pytest.fixture
def redis_url(infra: Infra) -> str:
    if not infra.redis_url:
        pytest.skip("no Redis here: set REDIS_URL")
    return infra.redis_url


@dataclass(frozen=True)
class Go:
    """Replicas start together, on an account the provider has just reset to empty."""

    ready: Barrier
    go: Barrier

    def wait(self) -> None:
        self.ready.wait(timeout=60)
        self.go.wait(timeout=60)


@pytest.fixture
def account() -> str:
    """A provider account (token) of this test's own."""
    return f"account-{uuid.uuid4().hex}"


def list_server_types(url: str, token: str, redis_url: str, requests: int, go: Go) -> None:
    """One replica: `requests` listings of Hetzner's server types, four at a time."""
    endpoint = f"{url}/hetzner/v1"
    client = Client(token=token, api_endpoint=endpoint)
    per_hour = HETZNER_PER_HOUR * TIME_FACTOR
    budget = budget_for(redis_url, "hetzner", endpoint, token, Pace.per_hour(per_hour))
    pace_requests(endpoint, "hetzner", budget)  # as HetznerProvider does

    def listing(_: int) -> None:
        # Refused even after hcloud's retries: cloudsim has counted the 429s.
        with suppress(APIException):
            client.server_types.get_all()

    go.wait()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(listing, range(requests)))


def list_dns_records(url: str, token: str, redis_url: str, requests: int, go: Go) -> None:
    """One replica: `requests` listings of a Cloudflare zone's records, four at a time."""
    api_base = f"{url}/cloudflare/client/v4"
    pace_ = Pace.per_window(CLOUDFLARE_PER_5_MINUTES, CLOUDFLARE_WINDOW_S / TIME_FACTOR)
    budget = budget_for(redis_url, "cloudflare", api_base, token, pace_)
    with httpx.Client(
        base_url=api_base,
        headers={"Authorization": f"Bearer {token}"},
        transport=PacedTransport("cloudflare", budget),
    ) as http:
        go.wait()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda _: http.get(f"/zones/{ZONE}/dns_records"), range(requests)))


Work = Callable[[str, str, str, int, Go], None]


def run_replicas(work: Work, url: str, token: str, redis_url: str, requests: int) -> float:
    """Two processes doing `work` from one instant on; returns the seconds since that instant."""
    spawn = multiprocessing.get_context("spawn")
    go = Go(spawn.Barrier(3), spawn.Barrier(3))
    replicas = [
        spawn.Process(target=work, args=(url, token, redis_url, requests, go)) for _ in range(2)
    ]
    for replica in replicas:
        replica.start()
    go.ready.wait(timeout=60)
    httpx.post(f"{url}/_admin/reset").raise_for_status()
    started = time.monotonic()
    go.go.wait(timeout=60)
    for replica in replicas:
        replica.join(timeout=120)
    assert [r.exitcode for r in replicas] == [0, 0]
    return time.monotonic() - started


def counts(url: str) -> tuple[dict[str, int], dict[str, int]]:
    state = httpx.get(f"{url}/_admin/state").json()
    return state["route_counts"], state["status_counts"]


def test_two_replicas_sharing_the_hetzner_budget_stay_within_the_project_limit(
    cloudsim_url: str, account: str, redis_url: str
) -> None:
    took_s = run_replicas(list_server_types, cloudsim_url, account, redis_url, requests=200)
    routes, statuses = counts(cloudsim_url)
    assert statuses.get("429", 0) == 0
    assert routes["GET /hetzner/v1/server_types"] == 400
    # The project started empty: never more than it refilled meanwhile.
    refilled = HETZNER_PER_HOUR * TIME_FACTOR / 3600 * took_s
    assert routes["GET /hetzner/v1/server_types"] <= refilled + 1


def test_replicas_each_pacing_alone_overdraw_the_hetzner_project(
    cloudsim_url: str, account: str
) -> None:
    run_replicas(list_server_types, cloudsim_url, account, "", requests=200)
    _, statuses = counts(cloudsim_url)
    assert statuses.get("429", 0) > 0


def test_two_replicas_sharing_the_cloudflare_budget_are_never_refused(
    cloudsim_url: str, account: str, redis_url: str
) -> None:
    took_s = run_replicas(list_dns_records, cloudsim_url, account, redis_url, requests=200)
    routes, statuses = counts(cloudsim_url)
    assert statuses.get("429", 0) == 0
    assert routes["GET /cloudflare/client/v4/zones/{id}/dns_records"] == 400
    # More than a window allows: spread over more than one window, never refused.
    assert took_s > CLOUDFLARE_WINDOW_S / TIME_FACTOR
