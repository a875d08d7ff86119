"""`python -m hostplane.metrics.rebuild SCHEMA`: replay every event topic into an empty schema.

Read models are disposable: this builds them again from the events on Kafka, to compare with
the live ones (`--compare views`) or to replace them. It reads each partition up to its end
at the start of the run, through the same projections the service uses.
"""

import argparse
import asyncio
import sys

from hostplane.contracts.topics import (
    BILLING_EVENTS,
    DNS_EVENTS,
    INVOICE_EVENTS,
    JOB_EVENTS,
    SUPPORT_EVENTS,
    USER_EVENTS,
    VPS_EVENTS,
    Topic,
)
from hostplane.metrics.adapters.kafka import event_history
from hostplane.metrics.adapters.schemas import differences, drop_schema
from hostplane.metrics.bootstrap import bootstrap
from hostplane.metrics.settings import Settings

__all__ = ["differences", "main", "rebuild"]

EVENT_TOPICS: tuple[Topic, ...] = (
    VPS_EVENTS,
    DNS_EVENTS,
    JOB_EVENTS,
    USER_EVENTS,
    BILLING_EVENTS,
    INVOICE_EVENTS,
    SUPPORT_EVENTS,
)


async def rebuild(settings: Settings, schema: str) -> int:
    """Project every event into `schema` (dropped first); returns how many changed a row."""
    drop_schema(settings.database_url, schema)
    app = bootstrap(settings, schema=schema, replay=True)
    try:
        return await app.rebuild(event_history(settings, EVENT_TOPICS))
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema", help="schema to build the read models in (dropped first)")
    parser.add_argument("--compare", metavar="SCHEMA", help="then list rows that differ")
    args = parser.parse_args()
    settings = Settings()
    applied = asyncio.run(rebuild(settings, args.schema))
    print(f"rebuilt {args.schema} from {applied} events")
    if args.compare:
        diff = differences(settings.database_url, args.compare, args.schema)
        print("\n".join(diff) or f"{args.schema} equals {args.compare}")
        sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
