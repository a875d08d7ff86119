"""The metrics application on read models of a test's own, wired as the service wires it."""

from collections.abc import Iterator
from contextlib import contextmanager

from hostplane.metrics.adapters.schemas import drop_schema
from hostplane.metrics.application import Metrics
from hostplane.metrics.bootstrap import bootstrap
from hostplane.metrics.settings import Settings
from tests.conftest import Infra


def metrics_settings(infra: Infra, **overrides: object) -> Settings:
    return Settings.model_validate(
        {
            "database_url": infra.database_url,
            "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
            **overrides,
        }
    )


@contextmanager
def metrics_on(infra: Infra, schema: str, replay: bool = False) -> Iterator[Metrics]:
    """Metrics on read models in `schema`, dropped afterwards."""
    app = bootstrap(metrics_settings(infra), schema=schema, replay=replay)
    try:
        yield app
    finally:
        app.close()
        drop_schema(infra.database_url, schema)
