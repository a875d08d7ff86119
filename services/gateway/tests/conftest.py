"""Each test gets the gateway over fresh in-memory fakes (see `fakes`)."""

from collections.abc import Iterator

import pytest

from services.gateway.tests.fakes import Api, serve, unit_settings


@pytest.fixture
def api() -> Iterator[Api]:
    yield from serve(unit_settings())
