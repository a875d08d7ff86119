"""mPanel's OpenAPI document lists every route and says what each answers, in mPanel's
error body."""

from typing import Any

from fastapi.routing import APIRoute

from hostplane.gateway.entrypoints.mpanel.app import ROUTERS
from services.gateway.tests.fakes import Api

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
PUBLIC = {
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),
    ("GET", "/api/health"),
    ("POST", "/api/payments/stripe/webhook"),
}


def operations(api: Api) -> dict[tuple[str, str], dict[str, Any]]:
    paths = api.panel.get("/openapi.json").json()["paths"]
    return {(m.upper(), p): op for p, ops in paths.items() for m, op in ops.items()}


def test_every_route_is_documented(api: Api) -> None:
    routes = {
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert set(operations(api)) == routes
    assert len(routes) >= 45


def test_the_document_is_mpanels_and_not_openclaws(api: Api) -> None:
    document = api.panel.get("/openapi.json").json()
    assert document["info"]["title"] == "mPanel API"
    assert not any(path.startswith("/api/instances") for path in document["paths"])
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_routes_document_their_credentials_and_refusals(api: Api) -> None:
    for key, op in operations(api).items():
        responses = op["responses"]
        if key in PUBLIC:
            assert "security" not in op, key
        else:
            assert op["security"] == [{"OperatorJwt": []}], key
            assert responses["401"]["content"] == ERROR, key
        if op.get("parameters") or op.get("requestBody"):
            assert responses["400"]["content"] == ERROR, key
        assert "Retry-After" in responses["503"]["headers"], key
        if "422" in responses:
            assert responses["422"]["content"] == ERROR, key  # a failed job's, never FastAPI's
    ops = operations(api)
    assert "403" in ops["POST", "/api/customers"]["responses"]
    assert "403" not in ops["GET", "/api/customers"]["responses"]  # every role reads
    assert "202" in ops["POST", "/api/orders"]["responses"]


def test_request_bodies_are_camel_case(api: Api) -> None:
    document = api.panel.get("/openapi.json").json()
    order = document["components"]["schemas"]["OrderCreate"]
    assert set(order["properties"]) == {"customerId", "items", "couponCode"}
    assert order["additionalProperties"] is False


def test_every_reference_in_the_document_resolves(api: Api) -> None:
    document = api.panel.get("/openapi.json").json()

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


def test_plans_and_regions_are_documented_as_the_configured_catalog(api: Api) -> None:
    schemas = api.panel.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Plan"]["enum"] == ["starter", "professional", "enterprise"]
    assert "jp-tokyo" not in schemas["Region"]["enum"]
    assert "eu-frankfurt" in schemas["Region"]["enum"]
