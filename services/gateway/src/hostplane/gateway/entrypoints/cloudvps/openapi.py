"""CloudVPS's OpenAPI document, saying what each route answers, derived from what it depends on:

- every route answers the envelope's error body for a refused request (422 VALIDATION_ERROR,
  when it has parameters or a body), the limit's 429 and an outage's 503;
- a change a signed-in user asks for answers 202 when its job outlives the wait;
- a route for signed-in users names the bearer token (`security`) and answers 401; an admin's
  route answers 403 to everyone else;
- a route that takes a body answers 400 INVALID_REQUEST when it is not JSON, and 413 past
  the size limit.
"""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi.routing import APIRoute

from hostplane.contracts.cloudvps.envelope import Envelope, ErrorResponse, InProgress
from hostplane.gateway.entrypoints.cloudvps.dependencies import admin, signed_in
from hostplane.gateway.entrypoints.openapi import RETRY_AFTER, dependency_calls
from hostplane.gateway.settings import Settings

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
ACCEPTED = "InProgressEnvelope"
ANSWERS = {
    "202": "Accepted, still in progress: the resource's GET shows the result (safe to repeat)",
    "400": "The body is not JSON (INVALID_REQUEST)",
    "401": "Missing, invalid or expired access token (UNAUTHORIZED)",
    "403": "Admins only, or the account is suspended (FORBIDDEN)",
    "413": "Request body too large",
    "422": "The request's parameters or body are not valid (VALIDATION_ERROR)",
    "429": "Over the limit of requests per client address (RATE_LIMITED)",
    "503": "The database or the broker cannot be reached; retry (SYSTEM_ERROR)",
}
BEARER: dict[str, list[str]] = {"BearerAuth": []}
SECURITY_SCHEMES = {
    "BearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /api/v1/auth/login, /register or /refresh",
    }
}


def exact(
    document: dict[str, Any], routes: Sequence[APIRoute], settings: Settings
) -> dict[str, Any]:
    for route in routes:
        if not route.include_in_schema:
            continue
        calls = list(dict.fromkeys(dependency_calls(route.dependant)))
        for method in route.methods or ():
            _answers(document["paths"][route.path_format][method.lower()], calls, method.lower())
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, nested in schema.pop("$defs", {}).items():
        schemas.setdefault(name, nested)
    schemas["ErrorResponse"] = schema
    accepted = Envelope[InProgress].model_json_schema(ref_template="#/components/schemas/{model}")
    for name, nested in accepted.pop("$defs", {}).items():
        schemas.setdefault(name, nested)
    schemas[ACCEPTED] = accepted
    components["securitySchemes"] = SECURITY_SCHEMES
    return document


def _answers(operation: dict[str, Any], calls: list[Callable[..., Any]], method: str) -> None:
    responses: dict[str, Any] = operation["responses"]
    if method != "get" and signed_in in calls:
        # A change a job carries out: past the wait, the job goes on (see `errors.in_progress`).
        content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ACCEPTED}"}}}
        responses.setdefault("202", {"description": ANSWERS["202"], "content": content})
    added = ["429", "503"]
    if operation.get("parameters") or operation.get("requestBody"):
        added.append("422")
    else:
        responses.pop("422", None)
    if signed_in in calls:
        operation["security"] = [BEARER]
        added.append("401")
    if admin in calls:
        added.append("403")
    if operation.get("requestBody"):
        added += ["400", "413"]  # see `bodylimit`
    for status in added:
        answer = responses.setdefault(status, {"description": ANSWERS[status]})
        answer["description"] = answer.get("description") or ANSWERS[status]
        answer["content"] = ERROR
        if status in ("429", "503"):
            answer["headers"] = RETRY_AFTER
