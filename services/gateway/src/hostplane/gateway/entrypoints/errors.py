"""Every answer that is not a success, in the contract's body `{error, code, details}`."""

import logging
from typing import Any

import psycopg
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route

from hostplane.contracts.openclaw.errors import ErrorCode, ErrorResponse
from hostplane.contracts.openclaw.instances import JobAccepted
from hostplane.gateway.application.jobs import JobPending
from hostplane.gateway.domain.errors import (
    Forbidden,
    HostnameTaken,
    Invalid,
    InvalidState,
    JobFailed,
    NotFound,
    PayloadTooLarge,
    Refused,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)

# Each refusal's status; a subclass answers as its nearest listed ancestor.
STATUS: dict[type[Refused], int] = {
    Refused: 500,
    Invalid: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    HostnameTaken: 409,
    InvalidState: 409,
    PayloadTooLarge: 413,
    JobFailed: 502,
    Unavailable: 503,
}
# A dependency that is down for a moment: the caller should retry soon.
RETRY_SOON = {"Retry-After": "1"}
# What Starlette's own refusals (no such route, no such method) are answered with.
HTTP_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.VALIDATION_ERROR}


def status_of(error: Refused) -> int:
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def respond(
    status: int,
    code: str,
    message: str,
    details: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=message, code=code, details=details)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def refusal(error: Refused) -> JSONResponse:
    status = status_of(error)
    headers = RETRY_SOON if status == 503 else None
    return respond(status, error.code, error.message, error.details, headers)


def validation_error(error: ValidationError | RequestValidationError) -> Invalid:
    """VALIDATION_ERROR naming each offending field."""
    details: dict[str, str] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        details[".".join(location) or "body"] = str(item.get("msg", "invalid"))
    return Invalid("Request validation failed", details)


def allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path (the `Allow` of a 405)."""
    routes: list[Route] = getattr(request.app, "api_routes", [])
    methods: set[str] = set()
    for route in routes:
        if route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Route every error through the contract's error body."""

    async def on_refused(_: Request, exc: Any) -> JSONResponse:
        return refusal(exc)

    async def on_job_pending(_: Request, exc: Any) -> JSONResponse:
        accepted = JobAccepted(job_id=exc.job_id, status=exc.status)
        return JSONResponse(accepted.model_dump(mode="json"), status_code=202)

    async def on_validation(_: Request, exc: Any) -> JSONResponse:
        return refusal(validation_error(exc))

    async def on_http(request: Request, exc: Any) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        code = HTTP_CODES.get(exc.status_code, ErrorCode.INTERNAL_ERROR)
        return respond(exc.status_code, code, str(exc.detail), headers=headers)

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The broker or the database is down for a moment: the caller should retry.
        log.warning("%s %s answered 503: %r", request.method, request.url.path, exc)
        return refusal(Unavailable("Temporarily unavailable, retry"))

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        return respond(500, ErrorCode.INTERNAL_ERROR, "Internal error")

    app.add_exception_handler(Refused, on_refused)
    app.add_exception_handler(JobPending, on_job_pending)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(KafkaError, on_unavailable)
    app.add_exception_handler(psycopg.OperationalError, on_unavailable)
    # The metrics service creates the read models: a gateway that starts first waits for it.
    app.add_exception_handler(psycopg.errors.UndefinedTable, on_unavailable)
    app.add_exception_handler(PoolTimeout, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)
