"""What every scenario shares: the machine, load generation with wrk, results and targets."""

import json
import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg

from tests.conftest import LOCAL_DATABASE_URL, ROOT, Infra
from tests.stack import Stack, running_stack

RESULTS = ROOT / "bench" / "results"
WRK_SCRIPTS = ROOT / "bench" / "wrk"
DURATION_S = int(os.environ.get("BENCH_DURATION_S", "30"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def infra() -> Infra:
    subprocess.run([str(ROOT / "deploy/local/infra.sh"), "up"], check=True)
    return Infra("127.0.0.1:9092", LOCAL_DATABASE_URL, local=True)


@contextmanager
def stack(label: str, only: tuple[str, ...] = (), replicas: int = 1, **env: str) -> Iterator[Stack]:
    """The whole stack on fresh topics and a fresh database, `replicas` of each service;
    `only` keeps just those services."""
    # Load comes from one client, one key and one token: limits that never refuse it.
    unlimited = {
        f"RATE_LIMIT_{who}": "1000000000/minute" for who in ("API_KEY", "USER", "IP", "CLOUDVPS_IP")
    }
    with running_stack(
        infra(), f"bench-{label}", replicas, **({"LOG_LEVEL": "WARNING"} | unlimited | env)
    ) as running:
        if only:
            for name in [n for n in running.processes.running if n not in (*only, "cloudsim")]:
                running.processes.kill(name)
        yield running


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])  # type: ignore[index]
    with psycopg.connect(LOCAL_DATABASE_URL) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "kafka": "3.9.1",
        "packages": {
            name: version(name)
            for name in ("fastapi", "uvicorn", "faststream", "aiokafka", "eventsourcing", "psycopg")
        },
    }


@dataclass
class Target:
    name: str
    value: float
    goal: float
    higher_is_better: bool = True

    @property
    def met(self) -> bool:
        return self.value >= self.goal if self.higher_is_better else self.value <= self.goal

    def line(self) -> str:
        op = "≥" if self.higher_is_better else "≤"
        verdict = "MET" if self.met else "MISSED"
        return f"  {verdict:6} {self.name}: {self.value:,.2f} (target {op} {self.goal:,.2f})"


@dataclass
class Result:
    scenario: str
    figures: dict[str, Any]
    settings: dict[str, Any]
    targets: list[Target] = field(default_factory=list)

    def save(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.scenario}.json"
        document = {
            "scenario": self.scenario,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": machine(),
            "settings": self.settings,
            "figures": self.figures,
            "targets": [asdict(t) | {"met": t.met} for t in self.targets],
        }
        path.write_text(json.dumps(document, indent=2) + "\n")
        return path

    def report(self) -> str:
        lines = [f"== {self.scenario}"]
        lines += [f"  {name}: {_fmt(value)}" for name, value in self.figures.items()]
        lines += [t.line() for t in self.targets]
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    return str(value)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over repeated runs."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def wrk(
    url: str,
    script: str,
    env: dict[str, str],
    connections: int = 64,
    duration_s: int = DURATION_S,
    threads: int = 2,
) -> dict[str, float]:
    """One wrk run (closed loop, fixed concurrency): requests/s and p50/p99 in ms.

    Fails when any request failed or was answered with an error status.
    """
    completed = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration_s}s",
            "--latency",
            "-s",
            str(WRK_SCRIPTS / script),
            url,
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    failed = summary["errors"] + summary["non2xx"]
    if failed:
        # Refusals and errors answer fast: a run with any says nothing about the service.
        raise RuntimeError(f"{failed} of {summary['requests']} requests failed against {url}")
    seconds = summary["duration_us"] / 1e6
    return {
        "requests_per_s": summary["requests"] / seconds,
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
    }
