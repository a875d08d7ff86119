"""`python -m hostplane.schema`: create the PostgreSQL schema and tables of every service
installed here, once, and exit.

Each service names the function that creates its own (its event store, read tables, runtime
tables) as an entry point of the group `hostplane.schema` in its pyproject.toml; this runs
those of the services installed in this environment (an image holds one), one after the
other, on DATABASE_URL, waiting for PostgreSQL to answer, and records each as set up at its
version in `hostplane.schema_setups`. Running it again, or beside running services, is safe:
every statement is `IF NOT EXISTS`, under the schema's advisory lock.

Services started with SCHEMA_SETUP=external create nothing: deploy/k8s runs this as a Job, and
each replica's init container runs `python -m hostplane.schema --wait`, which returns once
its service is recorded as set up at the version installed (WAIT_S at most, then fails).
"""

import argparse
import logging
import time
from importlib.metadata import EntryPoint, entry_points

import psycopg

from hostplane.messaging.eventstore import until_database_answers
from hostplane.messaging.settings import InfraSettings

GROUP = "hostplane.schema"
WAIT_S = 600.0
POLL_S = 2.0

SETUPS_DDL = """
CREATE SCHEMA IF NOT EXISTS hostplane;
CREATE TABLE IF NOT EXISTS hostplane.schema_setups (
    service text NOT NULL,
    version text NOT NULL,
    made_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, version)
);
"""

log = logging.getLogger("hostplane.schema")


def installed() -> list[EntryPoint]:
    """The schema creators of the services installed here, by service name."""
    return sorted(entry_points(group=GROUP), key=lambda entry: entry.name)


def _version(entry: EntryPoint) -> str:
    return entry.dist.version if entry.dist is not None else "0"


@until_database_answers
def _record(database_url: str, entry: EntryPoint) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('hostplane:schema:hostplane'))")
        conn.execute(SETUPS_DDL)
        conn.execute(
            "INSERT INTO hostplane.schema_setups (service, version) VALUES (%s, %s) "
            "ON CONFLICT DO NOTHING",
            (entry.name, _version(entry)),
        )


def create_all(database_url: str) -> list[str]:
    """Create every installed service's schema; the services' names, in the order made."""
    made = []
    for entry in installed():
        entry.load()(database_url)
        _record(database_url, entry)
        log.info("schema of %s %s ready", entry.name, _version(entry))
        made.append(entry.name)
    return made


def missing(database_url: str) -> list[str]:
    """The installed services not yet recorded as set up at their installed version."""
    wanted = {(entry.name, _version(entry)) for entry in installed()}
    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            made = set(conn.execute("SELECT service, version FROM hostplane.schema_setups"))
    except psycopg.Error:
        made = set()  # no database yet, or nothing set up yet
    return sorted(name for name, version in wanted - made)


def wait(database_url: str, timeout_s: float = WAIT_S) -> None:
    """Return once every installed service's schema is set up; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while left := missing(database_url):
        if time.monotonic() > deadline:
            raise SystemExit(f"schema not set up after {timeout_s:.0f} s: {', '.join(left)}")
        time.sleep(POLL_S)
    log.info("schemas set up")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hostplane.schema", description=__doc__)
    parser.add_argument(
        "--wait", action="store_true", help="wait until they are set up, create nothing"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    database_url = InfraSettings().database_url
    if not installed():
        raise SystemExit(f"no installed service declares a schema (entry points {GROUP!r})")
    if args.wait:
        wait(database_url)
    else:
        log.info("schemas ready: %s", ", ".join(create_all(database_url)))


if __name__ == "__main__":
    main()
