"""The admin API of outgoing webhooks: admins only; an endpoint is answered with its secret
once, its refusal by the webhooks service is the answer, a rotation answers the new secret,
and deliveries are listed with their attempts and can be sent again."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from hostplane.contracts.billing import Role
from hostplane.contracts.commands import webhooks as wc
from hostplane.contracts.secrets import SecretBox
from hostplane.gateway.application.cloudvps.webhooks import AttemptRow, DeliveryRow
from services.gateway.tests.fakes import Api
from services.gateway.tests.mpanel_rows import an_operator

PASSWORD = "correct horse battery"
HOOKS = "/api/v1/admin/webhooks"


def _admin(api: Api) -> dict[str, str]:
    box = SecretBox(api.settings.config_secrets_key)
    admin = an_operator(
        api.settings.platform_tenant_id, "admin@example.com", PASSWORD, box, [Role.ADMIN.value]
    )
    api.billing.reads.rows.operators[admin.id] = admin
    login = api.cloudvps.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {login.json()['data']['token']}"}


def _create(api: Api, headers: dict[str, str], **body: Any) -> Any:
    payload = {"url": "https://hooks.example.com/in", "events": ["vps.created"]} | body
    return api.cloudvps.post(HOOKS, json=payload, headers=headers)


def test_only_admins_manage_endpoints(api: Api) -> None:
    assert api.cloudvps.get(HOOKS).status_code == 401
    user = api.cloudvps.post(
        "/api/v1/auth/register",
        json={"name": "Jo", "email": "jo@example.com", "password": PASSWORD},
    ).json()["data"]
    answer = api.cloudvps.get(HOOKS, headers={"Authorization": f"Bearer {user['token']}"})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "FORBIDDEN")
    assert not api.broker.sent(wc.CreateWebhookEndpoint)


def test_an_endpoint_is_answered_with_its_secret_once(api: Api) -> None:
    admin = _admin(api)
    created = _create(api, admin, description="billing system")
    assert created.status_code == 201, created.text
    endpoint = created.json()["data"]
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["events"] == ["vps.created"] and endpoint["enabled"] is True
    (sent,) = api.broker.sent(wc.CreateWebhookEndpoint)
    box = SecretBox(api.settings.config_secrets_key)
    assert box.open(sent.secret) == endpoint["secret"]  # sealed on the way, never in clear

    listed = api.cloudvps.get(HOOKS, headers=admin).json()["data"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert "secret" not in listed[0]


def test_the_webhook_services_refusal_is_the_answer(api: Api) -> None:
    admin = _admin(api)
    refused = _create(api, admin, url="http://127.0.0.1:9000/hooks")
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "127.0.0.1 is a loopback address",
        "details": {},
    }
    assert api.cloudvps.get(HOOKS, headers=admin).json()["data"] == []


def test_an_unknown_event_or_scheme_is_refused_before_anything_is_sent(api: Api) -> None:
    admin = _admin(api)
    for wrong in ({"events": ["vps.exploded"]}, {"url": "ftp://hooks.example.com"}):
        refused = _create(api, admin, **wrong)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    assert api.broker.sent(wc.CreateWebhookEndpoint) == []


def test_update_rotate_and_delete(api: Api) -> None:
    admin = _admin(api)
    endpoint = _create(api, admin).json()["data"]
    at = f"{HOOKS}/{endpoint['id']}"
    disabled = api.cloudvps.put(at, json={"enabled": False}, headers=admin)
    assert disabled.json()["data"]["enabled"] is False

    rotated = api.cloudvps.post(f"{at}/rotate-secret", headers=admin).json()["data"]
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]

    assert api.cloudvps.delete(at, headers=admin).json()["data"] == {
        "id": endpoint["id"],
        "deleted": True,
    }
    assert api.cloudvps.put(at, json={"enabled": True}, headers=admin).status_code == 404


def test_deliveries_with_their_attempts_and_a_redelivery(api: Api) -> None:
    admin = _admin(api)
    endpoint = _create(api, admin).json()["data"]
    delivery_id, now = uuid4(), datetime(2026, 1, 1, 12, tzinfo=UTC)
    (endpoint_id,) = api.webhooks.endpoints_by_id
    api.webhooks.delivered[delivery_id] = DeliveryRow(
        delivery_id, endpoint_id, "vps.created", "pending", 503, now, now, None
    )
    api.webhooks.tried.append(AttemptRow(delivery_id, 1, now, 503, 12, None, "busy"))

    log = api.cloudvps.get(f"{HOOKS}/{endpoint['id']}/deliveries", headers=admin).json()["data"]
    assert log[0]["id"] == str(delivery_id) and log[0]["status"] == "pending"
    assert log[0]["attempts"] == [
        {"n": 1, "at": "2026-01-01T12:00:00Z", "status": 503, "latency_ms": 12, "response": "busy"}
    ]
    again = api.cloudvps.post(f"{HOOKS}/deliveries/{delivery_id}/redeliver", headers=admin)
    assert again.status_code == 200
    assert api.webhooks.redelivered == [delivery_id]
    missing = api.cloudvps.post(f"{HOOKS}/deliveries/{uuid4()}/redeliver", headers=admin)
    assert missing.status_code == 404
