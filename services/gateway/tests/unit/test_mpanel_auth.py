"""mPanel's sign-in, tokens and roles: who may call, on which surface, for what."""

import time
from dataclasses import replace
from uuid import uuid4

import jwt
import pytest

from hostplane.contracts.commands import billing as bc
from hostplane.contracts.identity import user_id_for
from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import BILLING_COMMANDS
from hostplane.gateway.domain.signatures import sso_signature
from services.gateway.tests.fakes import HMAC_SECRET, JWT_SECRET, Api
from services.gateway.tests.mpanel_rows import a_customer, a_tenant, an_operator

PASSWORD = "correct horse battery"


def an_admin(
    api: Api, email: str = "admin@example.com", status: str = "active", roles: str = "admin"
) -> None:
    """An operator of the platform's tenant who signs in with PASSWORD."""
    box = SecretBox(api.settings.config_secrets_key)
    tenant = a_tenant("Hostplane", api.settings.platform_tenant_id)
    api.billing.reads.rows.tenants[tenant.id] = tenant
    row = an_operator(tenant.id, email, PASSWORD, box, roles=[roles], status=status)
    api.billing.reads.rows.operators[row.id] = row


def login(api: Api, email: str, password: str) -> dict[str, object]:
    response = api.panel.post("/api/auth/login", json={"email": email, "password": password})
    return {"status": response.status_code, **response.json()}


def test_an_operator_signs_in_and_gets_mpanel_tokens(api: Api) -> None:
    an_admin(api)
    body = login(api, "admin@example.com", PASSWORD)
    assert body["status"] == 200
    claims = jwt.decode(str(body["token"]), JWT_SECRET, ["HS256"], audience="mpanel")
    assert claims["typ"] == "access"
    assert claims["tenant_id"] == str(api.settings.platform_tenant_id)
    assert claims["roles"] == ["admin"]
    assert claims["exp"] - claims["iat"] == api.settings.mpanel_access_ttl_s
    refresh = jwt.decode(str(body["refreshToken"]), JWT_SECRET, ["HS256"], audience="mpanel")
    assert refresh["typ"] == "refresh"
    assert body["user"] == {
        "id": claims["sub"],
        "name": "admin",
        "email": "admin@example.com",
        "roles": ["admin"],
        "tenantId": str(api.settings.platform_tenant_id),
    }


@pytest.mark.parametrize(
    ("email", "password", "status"),
    [
        ("admin@example.com", "wrong password", "active"),
        ("nobody@example.com", PASSWORD, "active"),
        ("admin@example.com", PASSWORD, "disabled"),
    ],
    ids=["wrong password", "unknown email", "disabled"],
)
def test_a_refused_sign_in_says_the_same_whatever_was_wrong(
    api: Api, email: str, password: str, status: str
) -> None:
    an_admin(api, status=status)
    body = login(api, email, password)
    assert body["status"] == 401
    assert body["error"] == {
        "code": "UNAUTHORIZED",
        "message": "Invalid email or password",
        "details": {},
    }


def test_a_refresh_token_gets_a_new_access_token_while_its_operator_is_active(api: Api) -> None:
    an_admin(api)
    refresh = str(login(api, "admin@example.com", PASSWORD)["refreshToken"])
    renewed = api.panel.post("/api/auth/refresh", json={"refreshToken": refresh})
    assert renewed.status_code == 200
    token = renewed.json()["token"]
    me = api.panel.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["permissions"] == ["*"]

    [operator] = api.billing.reads.rows.operators.values()
    api.billing.reads.rows.operators[operator.id] = replace(operator, status="disabled")
    refused = api.panel.post("/api/auth/refresh", json={"refreshToken": refresh})
    assert refused.status_code == 401


def test_an_access_token_is_no_refresh_token_and_a_refresh_token_no_access_token(
    api: Api,
) -> None:
    an_admin(api)
    body = login(api, "admin@example.com", PASSWORD)
    as_refresh = api.panel.post("/api/auth/refresh", json={"refreshToken": body["token"]})
    as_access = api.panel.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {body['refreshToken']}"}
    )
    assert as_refresh.status_code == as_access.status_code == 401


def test_neither_surface_takes_the_others_tokens(api: Api) -> None:
    an_admin(api)
    mpanel_token = str(login(api, "admin@example.com", PASSWORD)["token"])
    now = int(time.time())
    dashboard_token = jwt.encode(
        {"sub": "ops", "role": "admin", "exp": now + 600}, JWT_SECRET, algorithm="HS256"
    )
    on_openclaw = api.client.get(
        "/api/admin/stats", headers={"Authorization": f"Bearer {mpanel_token}"}
    )
    on_mpanel = api.panel.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {dashboard_token}"}
    )
    assert on_openclaw.status_code == 401
    assert on_mpanel.status_code == 401
    assert on_mpanel.json()["error"]["code"] == "UNAUTHORIZED"
    assert (
        api.client.get(
            "/api/admin/stats", headers={"Authorization": f"Bearer {dashboard_token}"}
        ).status_code
        == 200
    )


def test_me_lists_what_the_roles_allow(api: Api) -> None:
    an_admin(api, roles="support")
    [operator] = api.billing.reads.rows.operators.values()
    me = api.operator(
        "GET", "/api/auth/me", operator.tenant_id, ("support",), user_id=operator.id
    ).json()
    assert "cloudpods:suspend" in me["permissions"]
    assert "jobs:retry" in me["permissions"]
    assert "customers:write" not in me["permissions"]
    assert me["roles"] == ["support"]


@pytest.mark.parametrize(
    ("roles", "method", "path", "body"),
    [
        (("viewer",), "POST", "/api/customers", {"name": "A", "email": "a@example.com"}),
        (("billing",), "GET", "/api/users", None),
        (("support",), "POST", "/api/orders", None),
        (("billing",), "GET", "/api/audit", None),
        (("billing",), "PATCH", f"/api/invoices/{uuid4()}/status", {"status": "paid"}),
    ],
)
def test_an_operator_whose_roles_do_not_allow_it_is_forbidden(
    api: Api, roles: tuple[str, ...], method: str, path: str, body: object
) -> None:
    response = api.operator(method, path, uuid4(), roles, json=body)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    assert api.broker.commands == []


def test_viewers_read_and_support_suspends(api: Api) -> None:
    tenant_id = uuid4()
    customer = a_customer(tenant_id)
    api.billing.reads.rows.customers[customer.id] = customer
    listed = api.operator("GET", "/api/customers", tenant_id, ("viewer",))
    assert listed.status_code == 200
    assert listed.json()["items"][0]["id"] == str(customer.id)
    missing = api.operator("POST", f"/api/cloudpods/{uuid4()}/suspend", tenant_id, ("support",))
    assert missing.status_code == 404


def test_a_whmcs_sign_on_registers_its_user_with_billing(api: Api) -> None:
    ts = int(time.time())
    body = {
        "client_id": 7,
        "service_id": 11,
        "email": "owner@example.com",
        "timestamp": ts,
        "signature": sso_signature(HMAC_SECRET, 7, 11, "owner@example.com", ts),
    }
    assert api.whmcs("POST", "/api/auth/sso", body).status_code == 200
    [(topic, key, command)] = api.broker.commands
    assert topic == BILLING_COMMANDS
    assert key == user_id_for(7)
    assert command == bc.RegisterUser(
        tenant_id=api.settings.platform_tenant_id,
        user_id=user_id_for(7),
        whmcs_client_id=7,
        email="owner@example.com",
    )
