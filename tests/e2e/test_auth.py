"""Who may see and do what: WHMCS signatures, dashboard JWTs, another customer's instance."""

import random
import time

import httpx
import jwt
import pytest

from hostplane.contracts.identity import user_id_for
from tests.conftest import wait_until
from tests.e2e.conftest import Stack
from tests.e2e.test_instance_lifecycle import order
from tests.e2e.whmcs import Dashboard, Whmcs, token


@pytest.fixture(scope="module")
def owned(stack: Stack) -> dict[str, object]:
    """An instance of a known WHMCS client."""
    client_id = random.randint(1, 10**9)
    created = Whmcs(stack.gateway_url).create(**order(whmcs_client_id=client_id)).json()
    admin = Dashboard(stack.gateway_url, token("admin"))
    wait_until(lambda: admin.get(created["id"]).status_code == 200, what="the read model")
    return {"id": created["id"], "client_id": client_id}


def test_a_signature_is_accepted_once(stack: Stack) -> None:
    whmcs = Whmcs(stack.gateway_url)
    path = "/api/instances/00000000-0000-4000-8000-000000000001"
    stamp = int(time.time())
    replayed = [whmcs.request("GET", path, timestamp=stamp) for _ in range(2)]
    assert [r.status_code for r in replayed] == [404, 401]
    assert replayed[1].json()["error"] == "Signature already used"


def test_a_client_sees_its_own_instance_only(stack: Stack, owned: dict[str, object]) -> None:
    own = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(owned["client_id"]))))
    other = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(1))))
    assert own.get(owned["id"]).status_code == 200
    response = other.get(owned["id"])
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_token_scoped_to_another_instance_sees_nothing(
    stack: Stack, owned: dict[str, object]
) -> None:
    sub = str(user_id_for(owned["client_id"]))
    scoped = Dashboard(
        stack.gateway_url,
        token("client", sub=sub, instance_id="00000000-0000-4000-8000-000000000002"),
    )
    assert scoped.get(owned["id"]).status_code == 404
    in_scope = Dashboard(stack.gateway_url, token("client", sub=sub, instance_id=owned["id"]))
    assert in_scope.get(owned["id"]).status_code == 200


@pytest.mark.parametrize(
    "bearer",
    [
        token("client", ttl_s=-10),  # expired
        jwt.encode({"sub": "x", "role": "admin", "exp": 9999999999}, "wrong-secret-" * 3),
        "not.a.jwt",
        token("superuser"),  # unknown role
    ],
    ids=["expired", "wrong-secret", "malformed", "unknown-role"],
)
def test_bad_tokens_are_401(stack: Stack, owned: dict[str, object], bearer: str) -> None:
    response = httpx.get(
        f"{stack.gateway_url}/api/instances/{owned['id']}",
        headers={"Authorization": f"Bearer {bearer}"},
    )
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_no_credentials_is_401(stack: Stack, owned: dict[str, object]) -> None:
    response = httpx.get(f"{stack.gateway_url}/api/instances/{owned['id']}")
    assert response.status_code == 401
