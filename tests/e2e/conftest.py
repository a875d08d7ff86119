"""End-to-end tests: HTTP through the gateway, everything real, providers simulated."""

from collections.abc import Iterator

import pytest

from tests.conftest import Infra
from tests.stack import (  # noqa: F401 - names the e2e tests import from here
    API_KEY,
    DOMAIN,
    HMAC_SECRET,
    JWT_SECRET,
    ZONE_ID,
    Stack,
    another_gateway,
    answers,
    free_port,
    running_stack,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def stack(infra: Infra) -> Iterator[Stack]:
    with running_stack(infra) as running:
        yield running
