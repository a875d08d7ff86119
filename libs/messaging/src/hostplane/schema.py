"""`python -m hostplane.schema`: create the PostgreSQL schema and tables of every service
installed here, once, and exit.

Each service names the function that creates its own (its event store, read tables, runtime
tables) as an entry point of the group `hostplane.schema` in its pyproject.toml; this runs
those of the services installed in this environment, one after the other, on DATABASE_URL,
waiting for PostgreSQL to answer. Run it before services that start with
SCHEMA_SETUP=external (deploy/k8s runs it as a Job, before any replica). Running it again,
or beside running services, is safe: every statement is `IF NOT EXISTS`, under the schema's
advisory lock.
"""

import logging
from importlib.metadata import entry_points

from hostplane.messaging.settings import InfraSettings

GROUP = "hostplane.schema"

log = logging.getLogger("hostplane.schema")


def create_all(database_url: str) -> list[str]:
    """Create every installed service's schema; the services' names, in the order made."""
    made = []
    for entry in sorted(entry_points(group=GROUP), key=lambda entry: entry.name):
        entry.load()(database_url)
        log.info("schema of %s ready", entry.name)
        made.append(entry.name)
    return made


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    made = create_all(InfraSettings().database_url)
    if not made:
        raise SystemExit(f"no installed service declares a schema (entry points {GROUP!r})")
    log.info("schemas ready: %s", ", ".join(made))


if __name__ == "__main__":
    main()
