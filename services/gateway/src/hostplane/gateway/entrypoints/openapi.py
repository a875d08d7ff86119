"""The OpenAPI document, exact: every status a route can answer, with the body it carries.

FastAPI documents what a route returns and the 422 of its own validation, which this API
never answers (its validation errors are the contract's 400). The rest is derived here from
what each route depends on, so the document cannot drift from the code:

- a route with parameters or a body answers 400 VALIDATION_ERROR;
- a route that checks credentials names them (`security`) and answers 401; an admin route 403;
- a route that reads its body whole answers 413 past the size limit;
- every route but the unlimited ones answers 429 with `Retry-After`;
- every route answers 503 with `Retry-After` while the database or the broker is down.

Request bodies a route validates itself (after checking their signature) carry the catalog's
enums for their plan and region fields: what is configured, so a plan or region that is not
sold is outside the document, as it is refused by the API. Their email addresses exclude the
special-use domains (`.test`, `.invalid`, …) the API's email validation refuses.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from hostplane.contracts.openclaw.errors import ErrorResponse
from hostplane.gateway.entrypoints.dependencies import (
    raw_body,
    require_admin,
    require_instance,
    require_user,
    require_whmcs,
    require_whmcs_or_user,
)
from hostplane.gateway.entrypoints.ratelimit import UNLIMITED_PATHS
from hostplane.gateway.settings import Settings

Responses = dict[int | str, dict[str, Any]]


def security_schemes(settings: Settings) -> dict[str, Any]:
    return {
        "WhmcsApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "WhmcsTimestamp": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Timestamp",
            "description": f"Unix seconds, within {settings.signature_window_s} s of the "
            "server's clock",
        },
        "WhmcsSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Signature",
            "description": "Lowercase hex HMAC-SHA256 (key WHMCS_HMAC_SECRET) over the raw "
            "body followed by the X-Timestamp text; each signature is accepted once",
        },
        "DashboardJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "InstanceToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "The instance's own token, from its user data",
        },
    }


Requirement = dict[str, list[str]]
WHMCS: Requirement = {"WhmcsApiKey": [], "WhmcsTimestamp": [], "WhmcsSignature": []}
DASHBOARD: Requirement = {"DashboardJwt": []}
INSTANCE: Requirement = {"InstanceToken": []}
# The credentials each authenticating dependency accepts (any one requirement of its list).
CREDENTIALS: dict[Callable[..., Any], list[Requirement]] = {
    require_whmcs: [WHMCS],
    require_user: [DASHBOARD],
    require_admin: [DASHBOARD],
    require_whmcs_or_user: [WHMCS, DASHBOARD],
    require_instance: [INSTANCE],
}

DESCRIPTIONS = {
    202: "The job outlived the wait: follow it by its id",
    400: "Invalid request (VALIDATION_ERROR, or the contract's own code)",
    401: "Missing, invalid or reused credentials",
    403: "The credentials do not allow this",
    404: "No such instance (or not the caller's)",
    409: "Conflicts with the instance's state or another instance",
    413: "Request body too large",
    429: "Rate limit exceeded",
    502: "The provider failed the job",
    503: "The database or the broker is unavailable; retry",
}
ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
# Request bodies' fields that name a plan or a region, by the body's schema title.
CATALOG_FIELDS = {
    "CreateInstanceRequest": {"plan": "plans", "region": "regions"},
    "ResizeRequest": {"new_plan": "plans"},
}


def _any_case(name: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in name)


# What the API's email validation requires beyond the `email` format (ECMA-262 syntax): a
# domain with a dot, whose last label ends with a letter (as every top-level domain does), and
# that is not (nor is under) a special-use name.
DELIVERABLE_EMAIL = (
    "^[^@]+@(?!(?:[^@]*\\.)?(?:"
    + "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
    + ")$)(?:[^@.]+\\.)+[^@.]*[A-Za-z]$"
)


def refusals(*statuses: int) -> Responses:
    """Route-specific error answers, for a route's `responses=`."""
    return {
        status: {"model": ErrorResponse, "description": DESCRIPTIONS[status]} for status in statuses
    }


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
            _catalog(operation, settings)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for body in _request_bodies(document):
        deliverable_emails(body)
        for name, nested in body.pop("$defs", {}).items():
            schemas.setdefault(name, nested)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas.setdefault("ErrorResponse", ErrorResponse.model_json_schema())
    components["securitySchemes"] = security_schemes(settings)
    return document


def _request_bodies(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for operations in document["paths"].values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield content["schema"]


def deliverable_emails(schema: Any) -> None:
    if isinstance(schema, dict):
        if schema.get("format") == "email":
            schema["pattern"] = DELIVERABLE_EMAIL
        for value in schema.values():
            deliverable_emails(value)
    elif isinstance(schema, list):
        for value in schema:
            deliverable_emails(value)


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every dependency a route depends on, however deep."""
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from dependency_calls(dependency)


def _answers(operation: dict[str, Any], calls: list[Callable[..., Any]], path: str) -> None:
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)
    added: list[int] = [503]
    if operation.get("parameters") or operation.get("requestBody"):
        added.append(400)
    security = [requirement for call in calls for requirement in CREDENTIALS.get(call, [])]
    if security:
        operation["security"] = security
        added.append(401)
    if require_admin in calls:
        added.append(403)
    if raw_body in calls:
        added.append(413)
    if not path.startswith(UNLIMITED_PATHS):
        added.append(429)
    for status in added:
        answer = responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
        answer.setdefault("content", ERROR)
        if status in (429, 503):
            answer["headers"] = RETRY_AFTER


def _catalog(operation: dict[str, Any], settings: Settings) -> None:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    body = schema.get("schema", {})
    enums = {
        "plans": [plan.value for plan in settings.plans],
        "regions": [region.value for region in settings.regions],
    }
    for field, catalog in CATALOG_FIELDS.get(body.get("title", ""), {}).items():
        body["properties"][field] = {**body["properties"][field], "enum": enums[catalog]}
