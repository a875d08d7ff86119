"""End-to-end tests: HTTP through the gateway, everything real, providers simulated."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import Infra
from tests.stack import (  # noqa: F401 - names the e2e tests import from here
    API_KEY,
    DOMAIN,
    HMAC_SECRET,
    JWT_SECRET,
    PROVIDER_PAIRS,
    UNSOLD_REGION,
    ZONE_ID,
    ProviderPair,
    Stack,
    another_gateway,
    answers,
    free_port,
    running_stack,
)


@dataclass(frozen=True)
class Paired:
    stack: Stack
    pair: ProviderPair


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def stack(infra: Infra) -> Iterator[Stack]:
    with running_stack(infra) as running:
        yield running


@pytest.fixture(scope="session", params=list(PROVIDER_PAIRS))
def paired(request: pytest.FixtureRequest, infra: Infra, stack: Stack) -> Iterator[Paired]:
    """The e2e stack once for each provider pair: Hetzner with Cloudflare (the shared stack),
    Proxmox with PowerDNS (a stack of its own, whose DNS lives in PowerDNS)."""
    pair = PROVIDER_PAIRS[request.param]
    if pair.env["DNS_PROVIDER"] == stack.dns_provider:
        yield Paired(stack, pair)
        return
    with running_stack(infra, label=request.param.replace("+", "-"), **pair.env) as running:
        yield Paired(running, pair)
