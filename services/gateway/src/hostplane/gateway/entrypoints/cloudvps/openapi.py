"""CloudVPS's OpenAPI document, saying what each route answers: the envelope's error body
for a refused request (422 VALIDATION_ERROR), the limit's 429 and an outage's 503."""

from collections.abc import Sequence
from typing import Any

from fastapi.routing import APIRoute

from hostplane.contracts.cloudvps.envelope import ErrorResponse
from hostplane.gateway.settings import Settings

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
ANSWERS = {
    "422": "The request's parameters or body are not valid (VALIDATION_ERROR)",
    "429": "Over the limit of requests per client address (RATE_LIMITED)",
    "503": "The database or the broker cannot be reached; retry (SYSTEM_ERROR)",
}


def exact(
    document: dict[str, Any], routes: Sequence[APIRoute], settings: Settings
) -> dict[str, Any]:
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            for status, description in ANSWERS.items():
                if status != "422" or "422" in responses:
                    responses[status] = {"description": description, "content": ERROR}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, nested in schema.pop("$defs", {}).items():
        schemas.setdefault(name, nested)
    schemas["ErrorResponse"] = schema
    return document
