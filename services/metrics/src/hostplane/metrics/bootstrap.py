"""Wiring: settings → view store → application. Tests wire the same way."""

from hostplane.metrics.adapters.store import ViewStore
from hostplane.metrics.application import Metrics
from hostplane.metrics.settings import Settings

SCHEMA = "views"


def bootstrap(settings: Settings, schema: str = SCHEMA, replay: bool = False) -> Metrics:
    """The metrics application on the read models in `schema`, created if missing (a rebuild's
    schema always; `views` unless SCHEMA_SETUP=external).

    `replay`: for a rebuild, instances are ranked once at its end, not as each arrives.
    """
    store = ViewStore(settings.database_url, schema=schema, replay=replay)
    if settings.creates_schema or schema != SCHEMA:
        store.create_schema()
    return Metrics(store, usage_retention_days=settings.usage_retention_days)


def create_schema(database_url: str) -> None:
    """Create the `views` schema and its read tables (`python -m hostplane.schema`)."""
    store = ViewStore(database_url, schema=SCHEMA, pool_size=1)
    try:
        store.create_schema()
    finally:
        store.close()
