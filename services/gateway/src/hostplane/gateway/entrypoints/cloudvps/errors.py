"""Every CloudVPS answer that is not a success: `{"success": false, "error": {code, message,
details}}`, with the contract's error codes and their statuses."""

import logging
import math
from typing import Any

import psycopg
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response

from hostplane.contracts.cloudvps.envelope import (
    Envelope,
    ErrorCode,
    ErrorDetail,
    ErrorResponse,
    InProgress,
)
from hostplane.gateway.application.jobs import JobPending
from hostplane.gateway.application.mpanel.commands import ViewLagging
from hostplane.gateway.domain.errors import (
    Conflict,
    Forbidden,
    Invalid,
    JobFailed,
    NotFound,
    PayloadTooLarge,
    PaymentError,
    Refused,
    TooManyAttempts,
    Unauthorized,
    Unavailable,
    Unprocessable,
)
from hostplane.gateway.entrypoints.errors import allowed_methods, validation_error

log = logging.getLogger(__name__)

# Each refusal's code; a subclass answers as its nearest listed ancestor. A job that failed
# failed at the provider: the contract names any provider's failure PROXMOX_ERROR.
CODES: dict[type[Refused], ErrorCode] = {
    Refused: ErrorCode.SYSTEM_ERROR,
    Invalid: ErrorCode.INVALID_REQUEST,
    Unauthorized: ErrorCode.UNAUTHORIZED,
    PaymentError: ErrorCode.PAYMENT_ERROR,
    Forbidden: ErrorCode.FORBIDDEN,
    NotFound: ErrorCode.NOT_FOUND,
    Conflict: ErrorCode.CONFLICT,
    PayloadTooLarge: ErrorCode.INVALID_REQUEST,
    JobFailed: ErrorCode.PROXMOX_ERROR,
    Unprocessable: ErrorCode.VALIDATION_ERROR,
    Unavailable: ErrorCode.SYSTEM_ERROR,
    TooManyAttempts: ErrorCode.RATE_LIMITED,
}
# Where the status is not the code's own.
STATUSES: dict[type[Refused], int] = {PayloadTooLarge: 413, Unavailable: 503}
RETRY_SOON = {"Retry-After": "1"}


def _nearest(error: Refused, table: dict[type[Refused], Any]) -> Any:
    return next((table[kind] for kind in type(error).__mro__ if kind in table), None)


def respond(
    status: int,
    code: ErrorCode,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorDetail(code=code, message=message, details=details or {}))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def refusal(error: Refused) -> JSONResponse:
    code: ErrorCode = _nearest(error, CODES)
    status = _nearest(error, STATUSES) or code.status
    headers = RETRY_SOON if status == 503 else None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(max(1, math.ceil(error.retry_after_s)))}
    return respond(status, code, error.message, error.details, headers)


def rate_limited(headers: dict[str, str]) -> Response:
    """The contract's 429."""
    return respond(429, ErrorCode.RATE_LIMITED, "Too many requests", headers=headers)


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Route-specific error answers, for a route's `responses=`."""
    return {status: {"model": ErrorResponse} for status in statuses}


def in_progress(job_id: Any, status: str) -> JSONResponse:
    """202: the job outlived the wait (or its effect is not shown yet); GET shows the result."""
    message = "Accepted and still in progress: the resource shows the result when it is done"
    body = Envelope[InProgress](data=InProgress(job_id=str(job_id), status=status, message=message))
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=202)


def install(app: FastAPI) -> None:
    """Route every error through the contract's envelope."""

    async def on_refused(_: Request, exc: Any) -> JSONResponse:
        return refusal(exc)

    async def on_job_pending(_: Request, exc: Any) -> JSONResponse:
        return in_progress(exc.job_id, exc.status)

    async def on_view_lagging(_: Request, exc: Any) -> JSONResponse:
        return in_progress(exc.job_id, "succeeded")

    async def on_validation(_: Request, exc: Any) -> JSONResponse:
        invalid = validation_error(exc)
        return respond(422, ErrorCode.VALIDATION_ERROR, invalid.message, invalid.details)

    async def on_http(request: Request, exc: Any) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            return respond(404, ErrorCode.NOT_FOUND, "Not found", headers=headers)
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
            return respond(405, ErrorCode.INVALID_REQUEST, "Method not allowed", headers=headers)
        return respond(exc.status_code, ErrorCode.INVALID_REQUEST, str(exc.detail), headers=headers)

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s answered 503: %r", request.method, request.url.path, exc)
        return refusal(Unavailable("Temporarily unavailable, retry"))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return respond(500, ErrorCode.SYSTEM_ERROR, "Internal error")

    app.add_exception_handler(Refused, on_refused)
    app.add_exception_handler(JobPending, on_job_pending)
    app.add_exception_handler(ViewLagging, on_view_lagging)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    # The metrics service creates the read models: a gateway that starts first waits for it.
    unavailable = (psycopg.OperationalError, psycopg.errors.UndefinedTable, PoolTimeout, KafkaError)
    for kind in unavailable:
        app.add_exception_handler(kind, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)
