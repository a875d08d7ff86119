"""read: one instance and an admin page, with 100,000 instances in the read model."""

import tempfile
from pathlib import Path

from bench.common import DURATION_S, REPEATS, WRK_SCRIPTS, Result, Target, median_of, stack, wrk
from bench.seed import active_instances
from tests.e2e.whmcs import token

INSTANCES = 100_000
CONNECTIONS = 8
PAGE_SIZE = 20


def run() -> Result:
    with stack("read", only=("gateway",)) as hostplane, tempfile.TemporaryDirectory() as tmp:
        ids = Path(tmp) / "ids"
        active_instances(hostplane.database_url, INSTANCES, ids)
        pages = Path(tmp) / "pages"
        pages.write_text("\n".join(str(p) for p in range(1, INSTANCES // PAGE_SIZE + 1)) + "\n")
        env = {"BENCH_WRK_DIR": str(WRK_SCRIPTS), "BENCH_TOKEN": token("admin")}
        queries = {
            "get_instance": env | {"BENCH_IDS": str(ids), "BENCH_PATH": "/api/instances/{id}"},
            "admin_page": env
            | {
                "BENCH_IDS": str(pages),
                "BENCH_PATH": f"/api/admin/instances?page={{id}}&limit={PAGE_SIZE}",
            },
        }
        figures = {
            name: median_of(
                [
                    wrk(hostplane.gateway_url, "by_id.lua", query, CONNECTIONS)
                    for _ in range(REPEATS)
                ]
            )
            for name, query in queries.items()
        }
    targets = [
        Target(f"{name} p99 ms", f["p99_ms"], 10.0, higher_is_better=False)
        for name, f in figures.items()
    ]
    settings = {
        "instances": INSTANCES,
        "duration_s": DURATION_S,
        "repeats": REPEATS,
        "connections": CONNECTIONS,
        "load_generator": "wrk 4.1 (closed loop), 2 threads",
        "pages": "random page of 20 among all 5,000",
    }
    return Result("read", figures, settings, targets)
