"""Fuzz: schemathesis against CloudVPS Pro's OpenAPI document (`/api/v1`), on a stack of its own.

Every request to a route that names the bearer token carries one: a customer's, registered
when the stack starts, or the platform admin's for `/admin` routes. schemathesis checks each
answer against the document (status code, content type, headers, body in the envelope), that
no answer is a 5xx, that valid input is accepted and invalid input refused, and that tokens
are enforced. The stack is its own because the fuzzer registers accounts and signs in
wrongly on purpose, which other tests would count; the limit per client address is raised
so that the fuzzer meets the API rather than the limit. Generation is bounded and seeded.
"""

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import AuthContext, Case

from hostplane.contracts.secrets import new_key
from hostplane.gateway.entrypoints.cloudvps.app import create_cloudvps_app
from hostplane.gateway.settings import Settings
from tests.conftest import Infra
from tests.stack import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    API_KEY,
    HMAC_SECRET,
    JWT_SECRET,
    REGIONS,
    Stack,
    running_stack,
)

SEED = 20_261_203
MAX_EXAMPLES = 8
# A card refused (402) is a fair answer to valid data: the document cannot say which cards pay.
ACCEPTED = ["2xx", "401", "402", "403", "404", "409", "413", "429"]
REFUSED = ["400", "401", "403", "404", "405", "409", "413", "422", "429"]
TOKENS: dict[str, str] = {}  # "user" and "admin": access tokens, once the stack runs


def served_document() -> dict[str, Any]:
    """CloudVPS's document as the stack serves it, built here so that pytest can collect one
    test per operation before the stack runs."""
    settings = Settings(
        regions=REGIONS,
        whmcs_api_key=API_KEY,
        whmcs_hmac_secret=HMAC_SECRET,
        jwt_secret=JWT_SECRET,
        instance_token_secret="fuzz",
        config_secrets_key=new_key(),
    )
    document: dict[str, Any] = json.loads(json.dumps(create_cloudvps_app(settings).openapi()))
    return document


DOCUMENT = served_document()
# Where data the document accepts may still be refused, 422 VALIDATION_ERROR, for what no
# schema can say:
JUDGED = (
    # a webhook target is checked where it leads (resolved; private addresses refused);
    "^/api/v1/admin/webhooks(/[^/]+)?$",
    # a message's files are judged by their bytes (their type by its magic number, their size);
    "^/api/v1/support/tickets/[^/]+/messages$",
    # a plan (a product made at run time), an operating system (the catalog's), a CIDR
    # network, a period whose start comes after its end.
    "^/api/v1/vps(/[^/]+/(rebuild|network|metrics))?$",
)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
            "negative_data_rejection": {"expected-statuses": REFUSED},
        },
        "operations": [
            {
                "include-path-regex": path,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
            }
            for path in JUDGED
        ],
    }
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


@schema.auth(refresh_interval=None)
class Bearer:
    """The admin's token for `/admin` routes, the customer's for the others that name one."""

    def get(self, case: Case[Any], context: AuthContext) -> str | None:
        if not context.operation.definition.raw.get("security"):
            return None
        # None while pytest collects the cases, before the stack runs.
        return TOKENS.get("admin" if "/admin/" in context.operation.path else "user")

    def set(self, case: Case[Any], data: str | None, context: AuthContext) -> None:
        if data is not None:
            case.headers["Authorization"] = f"Bearer {data}"


def _signed_in(api: str, email: str, password: str) -> str:
    answer = httpx.post(f"{api}/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["data"]["token"]
    return token


@pytest.fixture(scope="module")
def fuzzed(infra: Infra) -> Iterator[Stack]:
    with running_stack(
        infra,
        label="cloudvps-fuzz",
        RATE_LIMIT_CLOUDVPS_IP="1000000/15 minutes",
        CLOUDVPS_ACCESS_TTL_S="7200",
    ) as stack:
        api = f"{stack.cloudvps_url}/api/v1"
        email, password = f"fuzz-{uuid4().hex[:8]}@example.com", "fuzzing is fun"
        registered = httpx.post(
            f"{api}/auth/register", json={"name": "Fuzz", "email": email, "password": password}
        )
        assert registered.status_code == 201, registered.text
        TOKENS["user"] = _signed_in(api, email, password)
        TOKENS["admin"] = _signed_in(api, ADMIN_EMAIL, ADMIN_PASSWORD)
        yield stack


def test_the_listener_serves_the_document_fuzzed(fuzzed: Stack) -> None:
    served = requests.get(f"{fuzzed.cloudvps_url}/openapi.json", timeout=10).json()
    assert served == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_cloudvps_answers_as_its_openapi_document_says(case: Case[Any], fuzzed: Stack) -> None:
    case.call_and_validate(base_url=fuzzed.cloudvps_url, timeout=30)
