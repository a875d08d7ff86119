"""Fault-injection tests: the stack under crashes, restarts and a flaky provider."""

from collections.abc import Iterator

import pytest

from tests.conftest import Infra
from tests.stack import Stack, running_stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults" in str(item.path):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="module")
def chaos_stack(infra: Infra) -> Iterator[Stack]:
    with running_stack(
        infra,
        label="faults",
        PROVIDER_TIMEOUT_S="1.5",
        CLOUDSIM_BOOT_DELAY="0.3",
        METRICS_INTERVAL_S="0",
        JOB_WAIT_S="5",
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def replica_stack(infra: Infra) -> Iterator[Stack]:
    """Two replicas of every service, the gateway included, on one database and broker."""
    with running_stack(
        infra,
        label="replicas",
        replicas=2,
        PROVIDER_TIMEOUT_S="1.5",
        CLOUDSIM_BOOT_DELAY="0.3",
        METRICS_INTERVAL_S="0",
        JOB_WAIT_S="5",
    ) as stack:
        yield stack
