"""Fuzz: schemathesis against the gateway's own OpenAPI document, on a stack of its own.

Every request carries the credentials its operation's `security` names, read from the
document: WHMCS headers signed over the exact body bytes sent (a fresh timestamp and
signature per request, as each signature is accepted once), an admin's dashboard JWT, or
the instance token of the instance in the path. schemathesis then checks each answer against
the document (status code, content type, headers, body), that no answer is a 5xx, that valid
input is accepted and invalid input refused, that credentials are enforced, and that a 405
names the allowed methods.

The stack is its own because the fuzzer orders instances and sends hooks that would show up
in what other tests count. Generation is bounded and seeded, so a run is the same every time.
"""

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from requests.auth import AuthBase
from schemathesis import AuthContext, Case
from schemathesis.errors import FailureGroup

from hostplane.contracts.identity import instance_token
from hostplane.contracts.secrets import new_key
from hostplane.gateway.domain.signatures import whmcs_signature
from hostplane.gateway.entrypoints.app import create_app
from hostplane.gateway.settings import Settings
from tests.conftest import Infra
from tests.stack import API_KEY, HMAC_SECRET, JWT_SECRET, REGIONS, Stack, running_stack

SEED = 20_240_917
MAX_EXAMPLES = 8
INSTANCE_TOKEN_SECRET = "fuzz-instance-token-secret"

WHMCS = {"WhmcsApiKey", "WhmcsTimestamp", "WhmcsSignature"}


class WhmcsSigner(AuthBase):
    """Signs a request that carries an `X-API-Key` over the body bytes it is sent with.

    A request without the key (schemathesis probing that credentials are enforced) goes
    unsigned. The same bytes to the same URL are never signed with the same timestamp twice:
    the gateway would refuse the second as a replay.
    """

    def __init__(self) -> None:
        self._signed: set[tuple[str, str, bytes, str]] = set()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if "X-API-Key" not in request.headers:
            return request
        body = request.body
        content = (
            body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else b""
        )
        stamp = int(time.time())
        while (key := (str(request.method), str(request.url), content, str(stamp))) in self._signed:
            stamp -= 1
        self._signed.add(key)
        request.headers["X-Timestamp"] = str(stamp)
        request.headers["X-Signature"] = whmcs_signature(HMAC_SECRET, content, str(stamp))
        return request


def admin_jwt() -> str:
    now = int(time.time())
    claims = {"sub": "fuzz-admin", "role": "admin", "iat": now, "exp": now + 3600}
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256")


class Credentials:
    """An auth provider: each case gets the credentials its operation's `security` names."""

    def get(self, case: Case[Any], context: AuthContext) -> dict[str, str] | None:
        requirements = context.operation.definition.raw.get("security", [])
        if not requirements:
            return None
        schemes = set(requirements[0])
        if schemes == WHMCS:
            # Placeholders: `WhmcsSigner` signs what is actually sent.
            return {"X-API-Key": API_KEY, "X-Timestamp": "0", "X-Signature": "0" * 64}
        if schemes == {"InstanceToken"}:
            return {"Authorization": f"Bearer {instance_token_of(case)}"}
        return {"Authorization": f"Bearer {admin_jwt()}"}

    def set(self, case: Case[Any], data: dict[str, str], context: AuthContext) -> None:
        case.headers.update(data)


def instance_token_of(case: Case[Any]) -> str:
    """The token of the instance in the path; any well-formed token when the path's id is
    not an id (a case testing that the path is validated)."""
    try:
        instance_id = uuid.UUID(str((case.path_parameters or {}).get("instance_id")))
    except ValueError:
        instance_id = uuid.uuid4()
    return instance_token(INSTANCE_TOKEN_SECRET, instance_id)


def served_document() -> dict[str, Any]:
    """The document the stack's gateway serves (with the stack's regions), built here so that
    pytest can collect one test per operation before the stack runs."""
    settings = Settings(
        regions=REGIONS,
        whmcs_api_key=API_KEY,
        whmcs_hmac_secret=HMAC_SECRET,
        jwt_secret=JWT_SECRET,
        instance_token_secret=INSTANCE_TOKEN_SECRET,
        config_secrets_key=new_key(),
    )
    document: dict[str, Any] = json.loads(json.dumps(create_app(settings).openapi()))
    return document


DOCUMENT = served_document()
# A body past the gateway's size limit is refused 413 before it is read, whatever it holds
# (JSON Schema cannot say how large a body may be): a fair answer to valid and invalid data.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "413", "429"]
REFUSED = ["400", "401", "403", "404", "405", "409", "413", "429"]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
            "negative_data_rejection": {"expected-statuses": REFUSED},
        },
    }
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.auth(refresh_interval=None)(Credentials)


@pytest.fixture(scope="module")
def fuzzed(infra: Infra) -> Iterator[Stack]:
    with running_stack(infra, label="fuzz", INSTANCE_TOKEN_SECRET=INSTANCE_TOKEN_SECRET) as stack:
        yield stack


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as signing:
        signing.auth = WhmcsSigner()
        yield signing


def test_the_gateway_serves_the_document_fuzzed(fuzzed: Stack) -> None:
    served = requests.get(f"{fuzzed.gateway_url}/openapi.json", timeout=10).json()
    assert served == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_gateway_answers_as_its_openapi_document_says(
    case: Case[Any], fuzzed: Stack, session: requests.Session
) -> None:
    case.call_and_validate(base_url=fuzzed.gateway_url, session=session, timeout=30)


def test_an_answer_the_document_does_not_name_is_a_failure(
    fuzzed: Stack, session: requests.Session
) -> None:
    """The checks have teeth: with its 404 taken out of the document, asking for an instance
    that does not exist fails them."""
    document = requests.get(f"{fuzzed.gateway_url}/openapi.json", timeout=10).json()
    del document["paths"]["/api/instances/{instance_id}"]["get"]["responses"]["404"]
    config = schemathesis.Config.from_dict({"base-url": fuzzed.gateway_url})
    doctored = schemathesis.openapi.from_dict(document, config=config)
    case = doctored["/api/instances/{instance_id}"]["GET"].Case(
        path_parameters={"instance_id": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {admin_jwt()}"},
    )
    with pytest.raises((AssertionError, FailureGroup), match="404"):
        case.call_and_validate(session=session, timeout=30)
