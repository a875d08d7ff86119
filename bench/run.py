"""`python -m bench.run [SCENARIO ...]`: run the scenarios, print and save their results."""

import sys
from collections.abc import Callable

from bench.common import Result
from bench.scenarios import (
    accept,
    cloud_scale,
    cloudvps_list,
    mpanel_orders,
    pipeline,
    providers,
    read,
    rebuild,
    renewals,
    replicas,
    webhook_deliveries,
)

SCENARIOS: dict[str, Callable[[], Result]] = {
    "accept": accept.run,
    "pipeline": pipeline.run,
    "read": read.run,
    "rebuild": rebuild.run,
    "cloud_scale": cloud_scale.run,
    "replicas": replicas.run,
    "providers": providers.run,
    "renewals": renewals.run,
    "mpanel_orders": mpanel_orders.run,
    "cloudvps_list": cloudvps_list.run,
    "webhook_deliveries": webhook_deliveries.run,
}


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
        return 2
    results = []
    for name in names or list(SCENARIOS):
        result = SCENARIOS[name]()
        path = result.save()
        print(result.report(), f"\n  → {path}", flush=True)
        results.append(result)
    missed = [t for r in results for t in r.targets if not t.met]
    print(
        f"\n{sum(len(r.targets) for r in results) - len(missed)} targets met, {len(missed)} missed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
