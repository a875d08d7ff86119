"""mPanel's OpenAPI document, exact: every status a route can answer, with its error body.

As for seed 000 (see `entrypoints.openapi`), derived from what each route depends on:

- a route with parameters or a body answers 400 VALIDATION_ERROR (never FastAPI's 422);
- a route for signed-in operators names the bearer token (`security`) and answers 401, and
  403 when some role lacks its permission;
- a route that takes a body answers 413 past the size limit;
- every route but the unlimited ones answers 429 with `Retry-After`;
- every route answers 503 with `Retry-After` while the database or the broker is down.

A product's plan and region are documented as the configured catalog (a plan or region not
sold is refused, so it is outside the document), as seed 000's document does.
"""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi.routing import APIRoute

from hostplane.contracts.billing import Role
from hostplane.contracts.mpanel.common import ErrorResponse, JobAccepted
from hostplane.gateway.domain.mpanel.access import GRANTS, Permission
from hostplane.gateway.entrypoints.mpanel.dependencies import Allowed
from hostplane.gateway.entrypoints.openapi import (
    RETRY_AFTER,
    Responses,
    deliverable_emails,
    dependency_calls,
)
from hostplane.gateway.entrypoints.ratelimit import UNLIMITED_PATHS
from hostplane.gateway.settings import Settings

DESCRIPTIONS = {
    202: "The wait ended before the read models showed the result: follow the job",
    400: "Invalid request (VALIDATION_ERROR, or the refusing job's own code)",
    401: "Missing, invalid or expired token",
    402: "The payment was refused",
    403: "The operator's roles do not allow this",
    404: "No such resource in the operator's tenant",
    409: "Conflicts with the resource's state, or an Idempotency-Key's first use",
    413: "Request body too large",
    422: "The job failed (its code says why)",
    429: "Rate limit exceeded",
    503: "The database or the broker is unavailable; retry",
}
ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
OPERATOR: dict[str, list[str]] = {"OperatorJwt": []}
SECURITY_SCHEMES = {
    "OperatorJwt": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /api/auth/login or /api/auth/refresh",
    }
}


def refusals(*statuses: int) -> Responses:
    """Route-specific error answers, for a route's `responses=`."""
    return {
        status: {"model": ErrorResponse, "description": DESCRIPTIONS[status]} for status in statuses
    }


# A route answering from its job: 202 past the wait, and the job's refusals.
WAITED: Responses = {
    202: {"model": JobAccepted, "description": DESCRIPTIONS[202]},
    **refusals(402, 404, 409, 422),
}


def _everyone_may(permission: Permission | None) -> bool:
    return permission is None or all(permission in GRANTS[role] for role in Role)


def exact(
    document: dict[str, Any], routes: Sequence[APIRoute], settings: Settings
) -> dict[str, Any]:
    """The document FastAPI built, made to say exactly what each route answers."""
    for route in routes:
        if not route.include_in_schema:
            continue
        calls = list(dict.fromkeys(dependency_calls(route.dependant)))
        for method in route.methods or ():
            operation = document["paths"][route.path_format][method.lower()]
            _answers(operation, calls, route.path_format)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    error = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error.pop("$defs", {}))
    schemas["ErrorResponse"] = error
    deliverable_emails(schemas)
    for name, sold in (("Plan", settings.plans), ("Region", settings.regions)):
        if name in schemas:
            schemas[name]["enum"] = [item.value for item in sold]
    components["securitySchemes"] = SECURITY_SCHEMES
    return document


def _answers(operation: dict[str, Any], calls: list[Callable[..., Any]], path: str) -> None:
    responses: dict[str, Any] = operation["responses"]
    if "422" in responses and not _failed_job(responses["422"]):
        del responses["422"]  # FastAPI's own validation answer: this API's is a 400
    added: list[int] = [503]
    if operation.get("parameters") or operation.get("requestBody"):
        added.append(400)
    checks = [call for call in calls if isinstance(call, Allowed)]
    if checks:
        operation["security"] = [OPERATOR]
        added.append(401)
    if any(not _everyone_may(check.permission) for check in checks):
        added.append(403)
    if operation.get("requestBody"):
        added.append(413)  # see `bodylimit`
    if not path.startswith(UNLIMITED_PATHS):
        added.append(429)
    for status in added:
        answer = responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
        answer.setdefault("content", ERROR)
        if status in (429, 503):
            answer["headers"] = RETRY_AFTER


def _failed_job(answer: dict[str, Any]) -> bool:
    """Whether a 422 is the route's own (a failed job), not FastAPI's validation error."""
    schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("/ErrorResponse")
