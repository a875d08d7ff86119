"""accept: how many signed commands the gateway takes per second, against a conventional app.

Reboot (dashboard JWT) and create (WHMCS signature, each one fresh) at fixed concurrency;
the baseline serves the same endpoints with FastAPI + psycopg, one transaction a request,
on the same PostgreSQL.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import DURATION_S, REPEATS, WRK_SCRIPTS, Result, Target, median_of, stack, wrk
from bench.seed import active_instances, signed_orders
from tests.conftest import ROOT, wait_until
from tests.e2e.whmcs import token
from tests.stack import answers, free_port

CONNECTIONS = 64
# Enough pre-signed orders that no run sends one twice.
ORDERS_PER_RUN = 120_000


def run() -> Result:
    with stack("accept", only=("gateway",)) as hostplane, tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        baseline = subprocess.Popen(
            [sys.executable, "-m", "bench.baseline.app", str(port), hostplane.database_url],
            cwd=ROOT,
        )
        try:
            baseline_url = f"http://127.0.0.1:{port}"
            wait_until(lambda: answers(f"{baseline_url}/docs"), 30, what="the baseline")
            ids = Path(tmp) / "ids"
            active_instances(hostplane.database_url, 10_000, ids)
            figures, targets = {}, []
            for endpoint in ("reboot", "create"):
                ours, theirs = [], []
                for attempt in range(REPEATS):
                    for url, runs in ((hostplane.gateway_url, ours), (baseline_url, theirs)):
                        runs.append(_load(endpoint, url, ids, Path(tmp), attempt))
                mine, base = median_of(ours), median_of(theirs)
                ratio = mine["requests_per_s"] / base["requests_per_s"]
                figures[f"{endpoint}_hostplane"] = mine
                figures[f"{endpoint}_baseline"] = base
                figures[f"{endpoint}_throughput_ratio"] = ratio
                figures[f"{endpoint}_p99_ratio"] = mine["p99_ms"] / base["p99_ms"]
                targets.append(Target(f"{endpoint} throughput ours/baseline", ratio, 1.5))
                targets.append(
                    Target(
                        f"{endpoint} p99 ours/baseline",
                        mine["p99_ms"] / base["p99_ms"],
                        1.0,
                        higher_is_better=False,
                    )
                )
        finally:
            baseline.terminate()
            baseline.wait(timeout=10)
    settings = {
        "duration_s": DURATION_S,
        "repeats": REPEATS,
        "connections": CONNECTIONS,
        "load_generator": "wrk 4.1 (closed loop), 2 threads",
        "services_running": "gateway only (commands queue on Kafka)",
        "instances_in_read_model": 10_000,
    }
    return Result("accept", figures, settings, targets)


def _load(endpoint: str, url: str, ids: Path, tmp: Path, attempt: int) -> dict[str, float]:
    env = {"BENCH_WRK_DIR": str(WRK_SCRIPTS), "BENCH_IDS": str(ids)}
    if endpoint == "reboot":
        env |= {
            "BENCH_METHOD": "POST",
            "BENCH_PATH": "/api/instances/{id}/reboot",
            "BENCH_TOKEN": token("admin"),
        }
        return wrk(url, "by_id.lua", env, CONNECTIONS)
    # Each system keeps its own orders, so both may see the same ones; never twice in one.
    first = 10_000_000 + attempt * ORDERS_PER_RUN
    signed = signed_orders(tmp / f"orders-{attempt}", first, ORDERS_PER_RUN)
    env |= {"BENCH_PATH": "/api/instances", "BENCH_SIGNED": str(signed)}
    return wrk(url, "signed.lua", env, CONNECTIONS)
