"""The OpenAPI document says exactly what each route answers."""

import re
from typing import Any

from hostplane.contracts import asyncapi
from services.gateway.tests.fakes import Api

WHMCS: dict[str, list[str]] = {"WhmcsApiKey": [], "WhmcsTimestamp": [], "WhmcsSignature": []}
ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}


def operations(api: Api) -> dict[tuple[str, str], dict[str, Any]]:
    paths = api.client.get("/openapi.json").json()["paths"]
    return {(m.upper(), p): op for p, ops in paths.items() for m, op in ops.items()}


def test_no_route_documents_the_422_the_api_never_answers(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    assert all("422" not in op["responses"] for op in operations(api).values())
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_route_taking_input_documents_the_contracts_400(api: Api) -> None:
    for (method, path), op in operations(api).items():
        if op.get("parameters") or op.get("requestBody"):
            assert op["responses"]["400"]["content"] == ERROR, f"{method} {path}"


def test_sign_on_and_webhooks_document_their_400_and_401(api: Api) -> None:
    ops = operations(api)
    for key in [("POST", "/api/auth/sso"), ("GET", "/auth/sso"), ("POST", "/api/webhooks/whmcs")]:
        assert {"400", "401"} <= set(ops[key]["responses"]), key
    assert ops["POST", "/api/auth/sso"]["security"] == [WHMCS]
    assert ops["POST", "/api/webhooks/whmcs"]["security"] == [WHMCS]
    assert "security" not in ops["GET", "/auth/sso"]


def test_plans_and_regions_are_documented_as_the_configured_catalog(api: Api) -> None:
    ops = operations(api)

    def body(key: tuple[str, str]) -> dict[str, Any]:
        schema = ops[key]["requestBody"]["content"]["application/json"]["schema"]
        properties: dict[str, Any] = schema["properties"]
        return properties

    resize = body(("POST", "/api/instances/{instance_id}/resize"))
    assert resize["new_plan"]["enum"] == ["starter", "professional", "enterprise"]
    order = body(("POST", "/api/instances"))
    assert order["plan"]["enum"] == ["starter", "professional", "enterprise"]
    assert "jp-tokyo" not in order["region"]["enum"]
    assert "eu-frankfurt" in order["region"]["enum"]


def test_routes_name_the_credentials_they_accept(api: Api) -> None:
    ops = operations(api)
    assert ops["GET", "/api/instances/{instance_id}"]["security"] == [
        WHMCS,
        {"DashboardJwt": []},
    ]
    assert ops["POST", "/api/instances/{instance_id}/ready"]["security"] == [{"InstanceToken": []}]
    assert "403" in ops["GET", "/api/admin/stats"]["responses"]
    assert "security" not in ops["GET", "/api/health"]


def test_every_reference_in_the_document_resolves(api: Api) -> None:
    document = api.client.get("/openapi.json").json()

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [ref for value in node.values() for ref in refs(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in refs(value)]
        return []

    for ref in refs(document):
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict), ref


def test_emails_are_documented_as_the_api_validates_them(api: Api) -> None:
    ops = operations(api)
    schema = ops["POST", "/api/instances"]["requestBody"]["content"]["application/json"]
    pattern = re.compile(schema["schema"]["properties"]["email"]["pattern"])
    assert pattern.match("owner@shop.example.com")
    for refused in ("owner@shop.test", "owner@localhost", "owner@0.0", "owner@host"):
        assert not pattern.match(refused), refused


def test_the_asyncapi_document_is_served_beside_the_api(api: Api) -> None:
    response = api.client.get("/asyncapi.json")
    assert response.status_code == 200
    assert response.json() == asyncapi.document()
    assert "/asyncapi.json" not in api.client.get("/openapi.json").json()["paths"]
