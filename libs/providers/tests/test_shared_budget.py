"""The shared bucket's arithmetic, in Redis's Lua, on a clock the tests move by hand."""

import logging
import shutil
import subprocess
import threading

import pytest
from redis import Redis

from hostplane.providers.budget import Pace
from hostplane.providers.shared_budget import SharedBudget, account_key, redis_client
from tests.conftest import wait_until
from tests.stack import free_port

PACE = Pace(rate_per_s=10.0, burst=5.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def budget(redis: Redis, account: str, clock: Clock, lease_s: float = 60.0) -> SharedBudget:
    key = account_key("test", "http://provider.test/v1", account)
    return SharedBudget(redis, key, PACE, lease_s=lease_s, clock=clock)


def takes(budget: SharedBudget, n: int) -> list[float]:
    return [budget.try_take(f"t{i}") for i in range(n)]


def test_a_new_bucket_starts_empty_and_refills_at_its_rate(
    redis: Redis, account: str, clock: Clock
) -> None:
    shared = budget(redis, account, clock)
    assert shared.try_take("first") == pytest.approx(0.1)
    clock.advance(0.05)
    assert shared.try_take("first") == pytest.approx(0.05)
    clock.advance(0.05)
    assert shared.try_take("first") == 0


def test_a_bucket_holds_no_more_than_its_burst(redis: Redis, account: str, clock: Clock) -> None:
    shared = budget(redis, account, clock)
    shared.try_take("start")
    clock.advance(3600)
    assert takes(shared, 6) == [0, 0, 0, 0, 0, pytest.approx(0.1)]


def test_budgets_of_one_account_share_its_tokens_and_other_accounts_do_not(
    redis: Redis, redis_url: str, account: str, clock: Clock
) -> None:
    here, there = budget(redis, account, clock), budget(Redis.from_url(redis_url), account, clock)
    elsewhere = budget(redis, account + "-other", clock)
    for started in (here, elsewhere):
        started.try_take("start")
    clock.advance(0.3)
    assert takes(here, 2) == [0, 0]
    assert takes(there, 2) == [0, pytest.approx(0.1)]
    assert takes(elsewhere, 3) == [0, 0, 0]


def test_the_first_count_told_sets_the_tokens_and_later_ones_only_lower_them(
    redis: Redis, account: str, clock: Clock
) -> None:
    shared = budget(redis, account, clock)
    shared.try_take("start")
    clock.advance(0.1)
    assert shared.try_take("t1") == 0
    shared.settle("t1", remaining=3)  # more than the bucket had: the provider knows better
    assert [shared.try_take(t) for t in ("a", "b", "c", "d")] == [0, 0, 0, pytest.approx(0.1)]
    shared.settle("a", remaining=50)  # an older answer, overtaken: it does not raise the count
    assert shared.try_take("d") == pytest.approx(0.1)
    clock.advance(0.5)  # refilled to the burst
    shared.settle("b", remaining=2)  # lower: believed, less c, still in flight
    assert [shared.try_take(t) for t in ("x", "y")] == [0, pytest.approx(0.1)]


def test_requests_in_flight_count_as_spent_when_the_provider_tells_its_count(
    redis: Redis, account: str, clock: Clock
) -> None:
    shared = budget(redis, account, clock)
    shared.try_take("start")
    clock.advance(1)
    assert takes(shared, 3) == [0, 0, 0]
    # t0 is answered: 4 left, but t1 and t2 may have reached the provider after it counted.
    shared.settle("t0", remaining=4)
    assert [shared.try_take(t) for t in ("a", "b", "c")] == [0, 0, pytest.approx(0.1)]


def test_a_lease_that_runs_out_no_longer_counts_as_in_flight(
    redis: Redis, account: str, clock: Clock
) -> None:
    shared = budget(redis, account, clock, lease_s=1.0)
    shared.try_take("start")
    clock.advance(1)
    assert takes(shared, 2) == [0, 0]  # their process died: they are never settled
    clock.advance(2)
    assert shared.try_take("answered") == 0
    shared.settle("answered", remaining=5)
    assert takes(shared, 6) == [0, 0, 0, 0, 0, pytest.approx(0.1)]


def test_a_window_budget_lets_through_at_most_its_requests_in_any_window() -> None:
    cloudflare = Pace.per_window(1200, 300)
    assert cloudflare.burst == 120
    assert cloudflare.burst + cloudflare.rate_per_s * 300 == pytest.approx(1200)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_while_redis_is_unreachable_a_request_waits_then_goes_when_it_answers(
    account: str, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    shared = SharedBudget(
        redis_client(f"redis://127.0.0.1:{port}/0"),
        account_key("test", "http://provider.test/v1", account),
        Pace(rate_per_s=1000.0, burst=10.0),
    )
    taken: list[str] = []
    caplog.set_level(logging.WARNING, "hostplane.providers.shared_budget")
    waiting = threading.Thread(target=lambda: taken.append(shared.take()), daemon=True)
    waiting.start()
    waiting.join(timeout=1.0)
    assert waiting.is_alive() and not taken  # neither gone out unpaced nor failed
    assert "Redis unreachable" in caplog.text
    redis_server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: taken, timeout=15, what="the request to go out")
    finally:
        redis_server.terminate()
        redis_server.wait(timeout=10)
    shared.settle(taken[0], remaining=5)  # Redis is gone again: logged, not raised
    assert "not settled" in caplog.text
