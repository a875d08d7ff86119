"""Every mPanel answer that is not a success: `{"error": {"code", "message", "details"}}`."""

import logging
from typing import Any

import psycopg
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response

from hostplane.contracts.mpanel.common import ErrorDetail, ErrorResponse, JobAccepted, JobRef
from hostplane.gateway.application.jobs import JobPending
from hostplane.gateway.application.mpanel.commands import ViewLagging
from hostplane.gateway.domain.errors import (
    Conflict,
    Forbidden,
    HostnameTaken,
    Invalid,
    InvalidState,
    JobFailed,
    NotFound,
    PayloadTooLarge,
    PaymentError,
    Refused,
    Unauthorized,
    Unavailable,
    Unprocessable,
)
from hostplane.gateway.entrypoints.errors import allowed_methods, validation_error

log = logging.getLogger(__name__)

# Each refusal's status; a subclass answers as its nearest listed ancestor.
STATUS: dict[type[Refused], int] = {
    Refused: 500,
    Invalid: 400,
    Unauthorized: 401,
    PaymentError: 402,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    HostnameTaken: 409,
    InvalidState: 409,
    PayloadTooLarge: 413,
    JobFailed: 422,
    Unprocessable: 422,
    Unavailable: 503,
}
RETRY_SOON = {"Retry-After": "1"}
HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def status_of(error: Refused) -> int:
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def respond(
    status: int,
    code: str,
    message: str,
    details: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorDetail(code=code, message=message, details=details or {}))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def refusal(error: Refused) -> JSONResponse:
    status = status_of(error)
    headers = RETRY_SOON if status == 503 else None
    return respond(status, error.code, error.message, error.details, headers)


def rate_limited(headers: dict[str, str]) -> Response:
    """mPanel's 429."""
    return respond(429, "RATE_LIMITED", "Too many requests", headers=headers)


def accepted(job_id: Any, status: str) -> JSONResponse:
    body = JobAccepted(job=JobRef(id=job_id, status=status))
    return JSONResponse(body.model_dump(mode="json"), status_code=202)


def install(app: FastAPI) -> None:
    """Route every error through mPanel's error body."""

    async def on_refused(_: Request, exc: Any) -> JSONResponse:
        return refusal(exc)

    async def on_job_pending(_: Request, exc: Any) -> JSONResponse:
        return accepted(exc.job_id, exc.status)

    async def on_view_lagging(_: Request, exc: Any) -> JSONResponse:
        # The job is done; the read models show it a moment later.
        return accepted(exc.job_id, "succeeded")

    async def on_validation(_: Request, exc: Any) -> JSONResponse:
        return refusal(validation_error(exc))

    async def on_http(request: Request, exc: Any) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        code = HTTP_CODES.get(exc.status_code, "INTERNAL_ERROR")
        return respond(exc.status_code, code, str(exc.detail), headers=headers)

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s answered 503: %r", request.method, request.url.path, exc)
        return refusal(Unavailable("Temporarily unavailable, retry"))

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        return respond(500, "INTERNAL_ERROR", "Internal error")

    app.add_exception_handler(Refused, on_refused)
    app.add_exception_handler(JobPending, on_job_pending)
    app.add_exception_handler(ViewLagging, on_view_lagging)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(KafkaError, on_unavailable)
    app.add_exception_handler(psycopg.OperationalError, on_unavailable)
    # The metrics service creates the read models: a gateway that starts first waits for it.
    app.add_exception_handler(psycopg.errors.UndefinedTable, on_unavailable)
    app.add_exception_handler(PoolTimeout, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)
